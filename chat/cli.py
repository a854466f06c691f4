"""The `clapboard` command: serve the chat, list models, creatives, jobs and exports, generate a video (or one per
product of a feed: chat/cli_batch.py), export one to placements, show and set the brand kit, verify a file's content
credentials, share a creative for review (chat/cli_review.py), run a worker, manage users and mint their API tokens.

A command imports what it uses when it runs: `clapboard models` reads the catalog without opening the
database, and no command loads LangChain, Chainlit or the REST app, so each starts at once.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dotenv import load_dotenv
from pydantic import ValidationError

from campaign.settings import ENV_FILES, LOOPBACK_HOSTS, Settings, data_home
from chat import cli_batch, cli_budget, cli_review
from tools.studio import Studio
from tools.studio.status import ClapboardError, JobStatus

if TYPE_CHECKING:
    from tools.studio.types import Actor, CreativeView, ExportView, Fix, JobEvent

EXIT_FAILED, EXIT_USAGE = 1, 2
APP_ROOT = Path(__file__).parent.parent  # where .chainlit/ (its config) lives in a checkout


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clapboard",
        description="Video creatives for marketing campaigns.",
        epilog=f"Your data lives in {_data_dir()}\n(the database, unless DATABASE_URL names one, the files and the "
        "secret), whatever folder you run\nclapboard from; CLAPBOARD_DATA_DIR, in the environment or .env, moves it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,  # a long path is not broken at its dashes
    )
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the chat")
    serve.add_argument("--host", default="127.0.0.1", help="listen address; other than loopback once users exist")
    serve.add_argument("--port", type=int, default=8000)
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument(
        "--as", dest="as_user", metavar="NAME", help="act as this user (default CLAPBOARD_USER; none needed while "
        "no user exists)"
    )  # fmt: skip

    models = sub.add_parser("models", help="list the video models with their limits, price and availability")
    models.add_argument("--json", action="store_true")
    models.add_argument("--refresh", action="store_true", help="read each model's live schema from Replicate")

    gen = sub.add_parser(
        "generate",
        parents=[acting],
        help="make a video and wait for it",
        description="Make a video and wait for it. Options not given are read from the prompt when it says them "
        '("6 second vertical", a model or template name, image URLs), else the model\'s defaults apply. '
        "`clapboard models` lists each model's durations, formats and prices.",
    )
    gen.add_argument("--prompt", required=True, help="the brief: what the video shows and says")
    gen.add_argument("--model", help="model id or alias (default: draft without a Replicate token)")
    gen.add_argument("--duration", type=int, dest="duration_s", metavar="SECONDS", help="length in whole seconds")
    gen.add_argument("--aspect", metavar="RATIO", help="16:9, 9:16, 1:1 or 4:5 (model-dependent)")
    gen.add_argument("--resolution", help="720p or 1080p (model-dependent)")
    gen.add_argument("--fps", type=int, help="frames per second (draft: 24 or 30)")
    gen.add_argument("--template", help="brand-animation, product-showcase or social-media")
    gen.add_argument("--ref", action="append", default=[], dest="references", metavar="PATH_OR_URL",
                     help="a PNG, JPEG or WebP reference image; repeat for several")  # fmt: skip
    gen.add_argument("--campaign", metavar="NAME", help="campaign to add the creative to (created if new)")
    gen.add_argument("--title", help="the creative's title (default: from the brief)")
    copy = gen.add_argument_group("on-screen copy", "the words on screen (default: quoted text, labels, prices and "
                                  "product names in the prompt; nothing else)")  # fmt: skip
    for name in ("headline", "tagline", "price", "cta", "end-text"):
        copy.add_argument(f"--{name}", dest=f"copy_{name.replace('-', '_')}", metavar="TEXT")
    copy.add_argument("--feature", action="append", default=[], dest="copy_features", metavar="TEXT",
                      help="a feature caption (repeat for more)")  # fmt: skip
    gen.add_argument("--refine", action=argparse.BooleanOptionalAction, default=None,
                     help="rewrite the brief for the model (default: on for paid models)")  # fmt: skip
    gen.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None, help="sound, where offered")
    sound = gen.add_argument_group("voice-over, captions and music", "off unless asked for (a voice-over); on (music)")
    voice = sound.add_mutually_exclusive_group()
    voice.add_argument("--voice", metavar="NAME", help='a voice-over by this voice (`clapboard voices`), or "female", '
                       '"male", "on" for the brand kit\'s default')  # fmt: skip
    voice.add_argument("--no-voice", dest="voice", action="store_const", const="none", help="no voice-over")
    sound.add_argument("--script", metavar="TEXT", help="the voice-over's words (default: written from the brief)")
    sound.add_argument("--no-captions", dest="captions", action="store_false", default=None,
                       help="no captions of the voice-over")  # fmt: skip
    sound.add_argument("--no-music", dest="music", action="store_false", default=None, help="no music bed")
    gen.add_argument("--yes", action="store_true", help="accept the price of a paid model without asking")
    gen.add_argument("--json", action="store_true", help="print the creative as one JSON object")

    voices = sub.add_parser("voices", help="list the voice-over voices with their price, licence and availability")
    voices.add_argument("--json", action="store_true")

    jobs = sub.add_parser(
        "jobs", parents=[acting], help="list jobs, newest first: the queue and what became of each request"
    )
    jobs.add_argument("--status", choices=[s.value for s in JobStatus])
    jobs.add_argument("--campaign")
    jobs.add_argument("--limit", type=_positive, default=50)
    jobs.add_argument("--json", action="store_true")

    worker = sub.add_parser(
        "worker",
        help="run jobs from the PostgreSQL queue (as many as you like, on any machine)",
        description="Run jobs from the job queue on the PostgreSQL named by DATABASE_URL until stopped (SIGTERM "
        "or Ctrl-C stop it gracefully: running jobs are handed back and carried on elsewhere).",
    )
    worker.add_argument(
        "--queues",
        type=_queues,
        default=Studio.queues,
        help=f"one provider's renders, or several: {','.join(Studio.queues)} (the default: all of them)",
    )
    worker.add_argument("--concurrency", type=_positive, help="jobs at a time (default CLAPBOARD_MAX_CONCURRENT_JOBS)")

    creatives = sub.add_parser(
        "creatives", parents=[acting], help="list creatives, newest first; rename or delete one",
        description="List the team's creatives, newest first (`clapboard creatives show|rename|delete --help` for "
        "the rest).",
    )  # fmt: skip
    creatives.add_argument("--campaign")
    creatives.add_argument("--json", action="store_true")
    verbs = creatives.add_subparsers(dest="action", metavar="{show,rename,delete}")
    # Options repeated after the verb must not reset those given before it: no defaults of their own.
    again = argparse.ArgumentParser(add_help=False)
    again.add_argument("--as", dest="as_user", metavar="NAME", default=argparse.SUPPRESS, help="act as this user")
    again.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    creative_id: dict[str, Any] = {
        "metavar": "ID",
        "help": "its id, or the first characters of it that `clapboard creatives` prints",
    }
    show = verbs.add_parser("show", parents=[again], help="one creative: its video, and a paid model's raw footage")
    show.add_argument("id", **creative_id)
    rename = verbs.add_parser("rename", parents=[again], help="give a creative a new title (anyone in the team)")
    rename.add_argument("id", **creative_id)
    rename.add_argument("title", help="1 to 120 characters")
    delete = verbs.add_parser("delete", parents=[again], help="delete a creative and its files (its maker or an admin)")
    delete.add_argument("id", **creative_id)
    delete.add_argument("--yes", action="store_true", help="delete without asking")

    cli_batch.add_parsers(sub, acting)

    export = sub.add_parser(
        "export", parents=[acting], help="export a creative to the placements it ships to: a file each, checked and "
        "signed",
        description="Make a creative's file for each placement again (re-laid for its frame, its safe zone and its "
        "loudness), sign it with content credentials and check it against the placement's specs from the file itself. "
        "A file that fails a check is not delivered; the report says which check, by how much, and the fix.",
    )  # fmt: skip
    export.add_argument("id", metavar="ID", help="the creative's id, or the first characters of it")
    export.add_argument("--channels", default="all", metavar="LIST",
                        help="tiktok,reels,stories,meta-feed,shorts,youtube,linkedin (also meta-feed-square), or all "
                        "(the default: the first seven)")  # fmt: skip
    export.add_argument("--trim", action="store_true", help="cut each file to its placement's longest length")
    export.add_argument(
        "--out", type=Path, metavar="DIR", help="save the files, captions, manifest.json and the zip here"
    )
    export.add_argument("--json", action="store_true")

    exports = sub.add_parser("exports", parents=[acting], help="list the team's exports, newest first")
    exports.add_argument("--creative", metavar="ID", help="one creative's (its id, or the first characters of it)")
    exports.add_argument("--limit", type=_positive, default=50)
    exports.add_argument("--json", action="store_true")

    brand = sub.add_parser(
        "brand", help="show or change the team's brand kit, or a campaign's",
        description="The team's brand kit (admins change it) and each campaign's own, which overrides it field by "
        "field; every new video follows them. `clapboard brand show|set --help` for the options.",
    ).add_subparsers(dest="action", required=True)  # fmt: skip
    shown = brand.add_parser("show", parents=[acting], help="the kit new videos follow, and each kit's version")
    changed = brand.add_parser("set", parents=[acting], help="change a kit (a new version); left out stays as it was")
    for verb in (shown, changed):
        verb.add_argument("--campaign", metavar="NAME", help="the campaign's own kit (default: the team's)")
        verb.add_argument("--json", action="store_true", help="print the kit as one JSON object")
    changed.add_argument("--logo", type=Path, metavar="FILE", help="the logo: PNG, JPEG, WebP or SVG")
    changed.add_argument("--logo-light", type=Path, metavar="FILE", help="a light logo, for dark backgrounds")
    changed.add_argument("--colors", metavar="LIST", help='2 to 6 colours, "#0A2540,#FF5A1F"; a role may follow '
                         'each: "#0A2540:background" (background, text, accent)')  # fmt: skip
    changed.add_argument("--font", type=Path, metavar="FILE", help="the headline font: TTF or OTF")
    changed.add_argument("--body-font", type=Path, metavar="FILE", help="the body text's font: TTF or OTF")
    changed.add_argument("--cta", metavar="TEXT", help="the call to action, e.g. Shop now")
    changed.add_argument("--website", metavar="TEXT", help="the website or handle for the end card")
    changed.add_argument("--tone", metavar="WORDS", help='tone words, "bold, playful"')
    changed.add_argument("--legal", metavar="TEXT", help="the legal line for the end card")
    changed.add_argument("--clear", action="append", default=[], metavar="FIELD", help="empty a field: logo, "
                         "logo-light, font, body-font, colors, cta, website, tone, legal (repeatable)")  # fmt: skip

    verify = sub.add_parser(
        "verify",
        help="read a file's content credentials: whether they hold, who signed it, what made it",
        description="Read a video's content credentials (C2PA) and check them against its bytes: exit 0 when they "
        "hold, 1 when the file changed after it was signed (or they do not hold otherwise), 2 when it carries none. "
        "Signers are trusted when CLAPBOARD_C2PA_TRUST_ANCHORS holds their root.",
    )
    verify.add_argument("file", type=Path)
    verify.add_argument("--json", action="store_true")

    token = sub.add_parser("token", help="print a user's bearer token for the REST API")
    token.add_argument("--user", type=_name, help="whose token (default CLAPBOARD_USER; the local owner while no "
                       "user exists)")  # fmt: skip
    token.add_argument("--days", type=_positive, default=30, help="days until the token expires (at most 365)")

    users = sub.add_parser("users", help="add, list and remove the people who sign in").add_subparsers(
        dest="action", required=True
    )
    add = users.add_parser("add", help="add a user to a team (created if new)")
    add.add_argument("name", type=_name)
    add.add_argument("--team", required=True, type=_name)
    add.add_argument("--email", help="their email (how SSO and OAuth sign-ins find them)")
    add.add_argument("--admin", action="store_true", help="may confirm and cancel anyone's job in the team")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from standard input (without it: SSO or OAuth sign-in only)")  # fmt: skip
    listing = users.add_parser("list", help="the users, by team")
    listing.add_argument("--json", action="store_true")
    remove = users.add_parser("remove", help="remove a user: their sign-in and tokens stop working")
    remove.add_argument("name", type=_name)
    password = users.add_parser("password", help="set a user's password; their tokens stop working")
    password.add_argument("name", type=_name)
    password.add_argument("--password-stdin", action="store_true", required=True)
    cli_budget.add_parsers(sub, acting)
    cli_review.add_parsers(sub, acting)
    return parser


def _name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()


def _queues(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in Studio.queues]
    if not names or unknown:
        raise argparse.ArgumentTypeError(f"the queues are {' and '.join(Studio.queues)}")
    return names


def _data_dir() -> Path:
    try:
        return Settings().data_dir
    except ValidationError:  # the command itself says what is wrong
        return data_home()


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    usual = gc.get_threshold()
    gc.set_threshold(50_000, 20, 20)  # a short-lived process: fewer collections while modules import
    try:
        return _run(argv, usual)
    finally:
        gc.freeze()  # the process ends here: its objects need no collection on the way out (about 0.2 s)


def _run(argv: list[str] | None, gc_threshold: tuple[int, ...] | None = None) -> int:
    """The command `argv` names; the long-lived ones (serve, worker) collect garbage at `gc_threshold` again."""
    args = _parser().parse_args(argv)
    if gc_threshold is not None and args.command in ("serve", "worker"):
        gc.set_threshold(*gc_threshold)
    for env_file in reversed(ENV_FILES):  # boto3 and others read their names from the environment
        load_dotenv(env_file, override=False)
    if args.command == "serve":
        return serve(args.host, args.port, Settings())
    try:
        return asyncio.run(_COMMANDS[args.command](args))
    except ValidationError as exc:
        print("error: " + "; ".join(_problem(e) for e in exc.errors()), file=sys.stderr)
        return EXIT_USAGE
    except ClapboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `clapboard creatives | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _problem(error: Any) -> str:
    """One validation error as the command line says it: the option it concerns, then what is wrong."""
    message = error["msg"].removeprefix("Value error, ")
    if not error.get("loc"):
        return message
    loc = [str(x) for x in error["loc"]]
    field = loc[1] if loc[0] == "copy" and len(loc) > 1 else loc[0]  # --headline, not --copy
    return f"--{_OPTIONS.get(field, field).replace('_', '-')}: {message}"


# fields named otherwise
_OPTIONS = {"duration_s": "duration", "references": "ref", "features": "feature", "aspects": "aspect"}


def serve(host: str, port: int, settings: Settings) -> int:
    """Serve the app `chat.server.create_app` builds (headless: the browser is the user's to open). Without users,
    the chat signs in the person at the machine, so it only listens on loopback."""
    from tools.studio.accounts import has_users

    if host not in LOOPBACK_HOSTS and not asyncio.run(has_users(settings)):
        print(
            f"error: no user has been added yet, so the chat signs in whoever opens it; it only listens on "
            f"127.0.0.1 until you add one:\n  clapboard users add NAME --team TEAM --admin --password-stdin\n"
            f"then run `clapboard serve --host {host}` again.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    os.environ.setdefault("CHAINLIT_AUTH_SECRET", settings.chat_session_secret)  # Chainlit reads these on import
    if os.environ.get("CHAINLIT_COOKIE_SAMESITE") != "strict":  # never "none": other sites' requests carry no session
        os.environ["CHAINLIT_COOKIE_SAMESITE"] = "lax"
    os.environ.setdefault("CHAINLIT_APP_ROOT", str(APP_ROOT if (APP_ROOT / ".chainlit").is_dir() else Path.cwd()))
    import uvicorn
    from chainlit.config import config

    config.run.host, config.run.port = host, port  # the address the guards accept
    print(f"Clapboard chat on http://{host}:{port}", file=sys.stderr)
    uvicorn.run("chat.server:create_app", factory=True, host=host, port=port, log_level="error")
    return 0  # stopped (SIGTERM, Ctrl-C); a start that failed exits with uvicorn's code 3


async def _with_studio(fn: Any, args: argparse.Namespace) -> int:
    studio = await Studio.open(Settings(), server=False)  # jobs are run here (SQLite) or by the workers
    try:
        return await fn(studio, args)
    finally:
        await studio.close()


async def _models(args: argparse.Namespace) -> int:
    """The catalog as a table (or JSON); it needs no database."""
    from tools.studio.models import Models

    settings = Settings()
    if args.refresh:
        models, lines = await Models.refreshed(settings)
        if not args.json:
            print("\n".join(lines) + "\n")
    else:
        models = Models.configured(settings)
    views = models.list()
    if args.json:
        print(json.dumps([v.model_dump() for v in views], indent=2))
        return 0
    rows = [("model", "provider slug", "tier", "durations", "formats", "refs", "price", "status")]
    for v in views:
        rows.append((v.id, v.slug or "(local)", v.tier, v.durations, " ".join(v.aspects), str(v.max_references),
                     v.price, "available" if v.available else f"unavailable: {v.notice}"))  # fmt: skip
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    return 0


async def _voices(args: argparse.Namespace) -> int:
    """Every voice: engine, gender, price per 1,000 characters, licence and whether it can speak here now; it
    needs no database."""
    from tools.studio.models import Models

    views = Models.configured(Settings()).voices()
    if args.json:
        print(json.dumps([v.model_dump() for v in views], indent=2))
        return 0
    rows = [("voice", "name", "engine", "gender", "per 1k chars", "licence", "status")]
    for v in views:
        price = f"${v.usd_per_1k_chars:.3f}" if v.usd_per_1k_chars else "free"
        status = "available" if v.available else "needs REPLICATE_API_TOKEN"
        rows.append((v.id, v.name, v.engine, v.gender, price, v.licence, status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False)) + "  " + row[-1])
    return 0


def _request_fields(args: argparse.Namespace, model_names: list[str]) -> dict[str, Any]:
    """The flags, completed by what the prompt itself says ("6 second vertical", a model, a template, URLs)."""
    from tools.studio.brief import read_options

    flags = {"prompt", "model", "duration_s", "aspect", "resolution", "fps", "template", "references",
             "campaign", "title", "refine", "audio", "voice", "script", "captions", "music"}  # fmt: skip
    given = {k: v for k, v in vars(args).items() if k in flags and v is not None}
    given["copy"] = {k.removeprefix("copy_"): v for k, v in vars(args).items() if k.startswith("copy_") and v}
    said = {k: v for k, v in read_options(args.prompt, model_names).args().items() if k not in ("mood", "broadcast")}
    given["references"] = [*given.get("references", []), *said.pop("reference_urls", [])]
    given["prompt"] = said.pop("prompt") or args.prompt
    for key, value in said.items():
        if key not in given:
            given[key] = value
        elif given[key] != value and not args.json:
            flag = "--" + key.removesuffix("_s")
            print(f"note: using {flag} {given[key]}, not the prompt's {value}.", file=sys.stderr)
    return given


async def _actor(studio: Studio, args: argparse.Namespace) -> Actor:
    return await studio.accounts.cli_actor(args.as_user)


async def _generate(studio: Studio, args: argparse.Namespace) -> int:
    from tools.studio.types import VideoRequest

    actor = await _actor(studio, args)
    request = VideoRequest(**_request_fields(args, studio.models.names()))
    _follow(studio, args)
    submitted = await studio.jobs.submit(
        actor, request, origin="cli", confirmed=args.yes, allow_paths=True, brief=await studio.jobs.read_brief(request)
    )
    if submitted.prompt_sent != submitted.prompt and not args.json:
        print(
            f"Prompt sent to the model ({submitted.refine_method}):\n{submitted.prompt_sent}\n",
            file=sys.stderr,
        )
    voiced = f" with {submitted.voice_name}'s voice-over" if submitted.voice_cost_usd else ""
    price = f"{submitted.model_name}{voiced} costs about ${submitted.estimated_cost_usd:.2f}"
    if submitted.sound.script and not args.json:
        print(f"Voice-over ({submitted.voice_name}): {submitted.sound.script.text()}\n", file=sys.stderr)
    if submitted.needs_confirmation and not await _approved(studio, actor, submitted.job_id, price):
        return EXIT_USAGE
    job = await studio.jobs.wait(actor, submitted.job_id)
    while job.status == JobStatus.awaiting_confirmation:  # the approved model failed; the next one is paid
        offer = f"{job.notice or 'The model failed.'} {job.model} costs about ${job.estimated_cost_usd:.2f}"
        if not await _approved(studio, actor, job.id, offer):
            return EXIT_USAGE
        job = await studio.jobs.wait(actor, job.id)
    if job.status != JobStatus.succeeded:
        print(f"error: the job failed at the {job.stage or 'render'} stage: {job.error}", file=sys.stderr)
        return EXIT_FAILED
    assert job.creative_id is not None, "a job that succeeded made a creative"
    _print_creative(await studio.library.creative(actor, job.creative_id), args.json)
    return 0


def _follow(studio: Studio, args: argparse.Namespace) -> None:
    """Print the jobs' progress on stderr (not with --json)."""

    async def progress(event: JobEvent) -> None:
        if event.kind in ("running", "progress") and not args.json:
            pct = f" {round(event.fraction * 100)}%" if event.fraction is not None else ""
            print(f"[{event.kind}{pct}] {event.message}", file=sys.stderr)

    studio.subscribe(progress)


def _print_creative(creative: CreativeView, as_json: bool) -> None:
    """A creative: its size, model and campaign, where its video is, and its footage (a paid model's video
    without the words) when it has one."""
    if as_json:
        print(json.dumps(creative.model_dump(), indent=2))
        return
    print(
        f"{creative.title}: {creative.duration_s:g} s {creative.width}x{creative.height} by {creative.model}"
        f" on {creative.campaign}\n{creative.file or creative.url}"
    )
    if creative.footage_url:
        print(f"footage: {creative.footage_url}")
    if sound := creative.sound:
        print(f"voice-over: {sound.voice or 'none'}; music: {sound.music or 'none'}")
        if sound.lufs is not None:
            peak = f", true peak {sound.true_peak_dbtp:.1f} dBTP" if sound.true_peak_dbtp is not None else ""
            print(f"loudness: {sound.lufs:.1f} LUFS (target {sound.target_lufs or 0:g}){peak}")
    for kind, url in (("SRT", creative.captions_srt_url), ("VTT", creative.captions_vtt_url)):
        if url:
            print(f"captions ({kind}): {url}")
    if creative.notice:
        print(creative.notice)


async def _approved(studio: Studio, actor: Actor, job_id: str, price: str) -> bool:
    """Ask at the terminal before money moves; without one (or on no), cancel and say how to accept."""
    if _agreed(f"{price}. Go ahead?"):
        await studio.jobs.confirm(actor, job_id)
        return True
    await studio.jobs.cancel(actor, job_id)
    print(f"error: {price}; nothing was started. Add --yes to accept the price.", file=sys.stderr)
    return False


def _agreed(question: str) -> bool:
    """Whether the person at the terminal says yes to `question` (no terminal: no)."""
    return sys.stdin.isatty() and input(f"{question} [y/N] ").strip().lower() in ("y", "yes")


async def _creatives(studio: Studio, args: argparse.Namespace) -> int:
    actor = await _actor(studio, args)
    if args.action == "rename":
        found = await studio.library.find_creative(actor, args.id)
        creative = await studio.library.rename_creative(actor, found.id, args.title)
        print(
            json.dumps(creative.model_dump(), indent=2) if args.json else f'Renamed {found.id[:8]}: "{creative.title}"'
        )
        return 0
    if args.action == "delete":
        return await _delete(studio, actor, args)
    if args.action == "show":
        _print_creative(await studio.library.find_creative(actor, args.id), args.json)
        return 0
    items = await studio.library.creatives(actor, args.campaign)
    if args.json:
        print(json.dumps([c.model_dump() for c in items], indent=2))
        return 0
    for c in items:
        print(
            f"{c.id[:8]}  {c.created_at[:16]}  {c.campaign:<20} {c.model:<12} {c.duration_s:>5g}s "
            f"{c.width}x{c.height}  {c.title}"
        )
    if not items:
        print("No creatives yet.")
    return 0


async def _delete(studio: Studio, actor: Actor, args: argparse.Namespace) -> int:
    found = await studio.library.find_creative(actor, args.id)
    what = f'"{found.title}" on {found.campaign}'
    if not args.yes and not (
        sys.stdin.isatty()
        and input(f"Delete {what} and its video for the whole team? [y/N] ").strip().lower() in ("y", "yes")
    ):
        print(f"error: {what} was not deleted. Add --yes to delete it.", file=sys.stderr)
        return EXIT_USAGE
    await studio.library.delete_creative(actor, found.id)
    print(json.dumps({"deleted": found.id}) if args.json else f"Deleted {found.id[:8]} {what} and its files.")
    return 0


async def _jobs(studio: Studio, args: argparse.Namespace) -> int:
    items = await studio.jobs.jobs(await _actor(studio, args), status=args.status, campaign=args.campaign,
                              limit=args.limit)  # fmt: skip
    if args.json:
        print(json.dumps([j.model_dump() for j in items], indent=2))
        return 0
    for j in items:
        made = f" -> {j.model_used}" if j.model_used and j.model_used != j.model else ""
        state = f"{j.status} {round(j.progress * 100)}%" if j.status == JobStatus.running else j.status
        cost = f"${j.estimated_cost_usd:.2f}" if j.estimated_cost_usd else "free"
        print(f"{j.id[:8]}  {j.created_at[:16]}  {state:<22} {j.model + made:<24} {cost:>7}  {j.title}")
        print(f"          {_audit(j)}")
        if j.error:
            print(f"          {j.stage} stage: {j.error}")
    if not items:
        print("No jobs" + (f" {args.status.replace('_', ' ')}" if args.status else "") + ".")
    return 0


async def _export(studio: Studio, args: argparse.Namespace) -> int:
    actor = await _actor(studio, args)
    creative = await studio.library.find_creative(actor, args.id)
    _follow(studio, args)
    started = await studio.exports.export(actor, creative.id, args.channels, trim=args.trim, origin="cli")
    done = await studio.exports.wait(actor, started.id)
    saved = await studio.exports.save(actor, done.id, args.out) if args.out else []
    if args.json:
        print(json.dumps({**done.model_dump(), "saved": [str(p) for p in saved]}, indent=2))
    else:
        _print_export(done, args.id, saved)
    return 0 if done.status == JobStatus.succeeded else EXIT_FAILED


async def _exports(studio: Studio, args: argparse.Namespace) -> int:
    actor = await _actor(studio, args)
    creative = (await studio.library.find_creative(actor, args.creative)).id if args.creative else None
    items = await studio.exports.list(actor, creative, args.limit)
    if args.json:
        print(json.dumps([e.model_dump(mode="json") for e in items], indent=2))
        return 0
    for e in items:
        delivered = sum(f.delivered for f in e.files)
        print(f"{e.id[:8]}  {e.created_at[:16]}  {e.status:<10} {','.join(e.placements):<40} "
              f"{delivered}/{len(e.placements)} delivered  {e.title}")  # fmt: skip
    if not items:
        print("No exports yet.")
    return 0


def _print_export(done: ExportView, creative: str, saved: list[Path]) -> None:
    """Each placement's file with every check: the measured value against the placement's limit."""
    print(f"Export {done.id[:8]} of “{done.title}”: {done.status}")
    for f in done.files:
        state = "delivered" if f.delivered else "NOT delivered"
        print(f"\n{f.label} ({f.placement}): {state}  {f.width}x{f.height} {f.duration_s:g} s {f.bytes / 1e6:.1f} MB")
        for c in f.checks:
            verdict = "skipped: " + c.skipped if c.skipped else "ok" if c.ok else f"FAILED: {c.off_by}"
            print(f"  {c.name:<22} {c.measured:<22} {c.limit:<26} {verdict}")
    for fix in done.fixes:
        print(f"\n{fix.text} Run: clapboard export {creative} --channels {_failing(done, fix)} --trim")
    if done.error and not done.files:
        print(f"error: {done.error}", file=sys.stderr)
    if done.zip_url:
        print(f"\nzip: {done.zip_url}\nmanifest: {done.manifest_url}")
    for path in saved:
        print(f"saved: {path}")


def _failing(done: ExportView, fix: Fix) -> str:
    """The placements whose failed checks `fix` mends."""
    return ",".join(f.placement for f in done.files if any(c.fix == fix for c in f.checks))


async def _worker(studio: Studio, args: argparse.Namespace) -> int:
    if not studio.runs_workers:
        print("error: workers take jobs from PostgreSQL: set DATABASE_URL (with SQLite the server runs them).",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    print(f"Worker on {', '.join(args.queues)}; stop with Ctrl-C.", file=sys.stderr)
    await studio.work(queues=args.queues, concurrency=args.concurrency)
    return 0


def _audit(j: Any) -> str:
    said = [("asked by", j.submitted_by), ("approved by", j.confirmed_by), ("canceled by", j.canceled_by)]
    return ", ".join(f"{verb} {who}" for verb, who in said if who)


async def _token(studio: Studio, args: argparse.Namespace) -> int:
    print(await studio.accounts.issue_token(args.user, days=args.days))
    return 0


def _password(args: argparse.Namespace) -> str | None:
    """The password from standard input (its first line), when --password-stdin says so."""
    return sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None


async def _users(studio: Studio, args: argparse.Namespace) -> int:
    accounts = studio.accounts
    if args.action == "add":
        user = await accounts.add(args.name, team=args.team, email=args.email, admin=args.admin,
                                  password=_password(args))  # fmt: skip
        how = "with a password" if user.password else "without a password: SSO or OAuth sign-in only"
        print(f"Added {user.name} ({user.role}) to team {user.team}, {how}.")
    elif args.action == "list":
        items = await accounts.list()
        if args.json:
            print(json.dumps([u.model_dump() for u in items], indent=2))
            return 0
        for u in items:
            print(f"{u.team:<16} {u.name:<20} {u.role:<7} {u.email or '-':<30} {'password' if u.password else 'sso'}")
        if not items:
            print("No users yet: the chat signs in the person at the machine (loopback only).")
    elif args.action == "remove":
        await accounts.remove(args.name)
        print(f"Removed {args.name}; their sign-in and tokens no longer work.")
    else:
        await accounts.set_password(args.name, _password(args) or "")
        print(f"Changed {args.name}'s password; their earlier tokens no longer work.")
    return 0


_BRAND_FILES = ("logo", "logo_light", "font", "body_font")


async def _brand(studio: Studio, args: argparse.Namespace) -> int:
    from tools.studio.types import BRAND_FONT_MAX_BYTES, BrandChanges, FileUpload

    actor = await _actor(studio, args)
    if args.action == "show":
        view = await studio.brand.get(actor, args.campaign)
    else:
        limit = max(studio.files.reference_max_bytes, BRAND_FONT_MAX_BYTES)
        files = {k: FileUpload(data=_read_file(f"--{k.replace('_', '-')}", path, limit), name=path.name)
                 for k in _BRAND_FILES if (path := getattr(args, k)) is not None}  # fmt: skip
        words = {k: getattr(args, k) for k in ("colors", "cta", "website", "tone", "legal")}
        clear = [c.strip().replace("-", "_") for c in args.clear]
        changes = BrandChanges.model_validate({**words, **files, "clear": clear})
        view = await studio.brand.set(actor, changes, args.campaign)
    if args.json:
        print(json.dumps(view.model_dump(mode="json"), indent=2))
        return 0
    kits = [("Team kit", view.team_kit)] + ([(f"{view.campaign} kit", view.campaign_kit)] if view.campaign else [])
    for name, kit in kits:
        made = f"v{kit.version}, by {kit.created_by or 'someone'} on {kit.created_at[:16]}" if kit else "not set"
        print(f"{name}: {made}")
    k = view.effective
    print(f"New videos follow: {view.label}")
    fonts = ", ".join(f"{f.family} ({f.use})" for f in k.fonts)
    colours = ", ".join(c.hex + (f" {c.role}" if c.role else "") for c in k.colors)
    rows = (("logo", k.logo), ("light logo", k.logo_light), ("colours", colours), ("fonts", fonts),
            ("CTA", k.cta), ("website", k.website), ("tone", ", ".join(k.tone)), ("legal", k.legal))  # fmt: skip
    for label, value in rows:
        print(f"  {label + ':':<12}{value or '-'}")
    return 0


async def _verify(args: argparse.Namespace) -> int:
    """A file's content credentials, read and checked against its bytes; it needs no database."""
    from tools.studio.credentials import IPTC, LOCAL_SIGNER, verify_file

    checked = await asyncio.to_thread(verify_file, args.file.expanduser(), Settings())
    if args.json:
        print(json.dumps(checked.model_dump(), indent=2))
        return 0 if checked.valid else EXIT_FAILED
    trust = "on a trust list" if checked.trusted else "not on a trust list"
    if not checked.trusted and checked.signer.startswith(LOCAL_SIGNER):
        trust += ": a local certificate"
    signed = f"signed by {checked.signer or 'an unknown signer'}, {trust}"
    print(f"Content credentials: {'valid' if checked.valid else 'NOT VALID'} ({signed})")
    for problem in checked.problems:
        print(f"  {problem}")
    rows = (
        ("Title", checked.title),
        ("Made by", checked.model),
        ("Source", checked.source_type.removeprefix(IPTC)),
        ("Actions", ", ".join(a.removeprefix("c2pa.") for a in checked.actions)),
        ("From", ", ".join(checked.ingredients)),
        ("AI flags", ", ".join(flag for flag, on in checked.disclosure.items() if on)),
    )
    for label, value in rows:
        if value:
            print(f"{label + ':':<9} {value}")
    return 0 if checked.valid else EXIT_FAILED


def _read_file(option: str, path: Path, limit: int) -> bytes:
    """A file named on the command line, read up to `limit` bytes and one more (the check says it is too big)."""
    from tools.studio.types import InvalidRequest

    try:
        with path.expanduser().open("rb") as fh:
            return fh.read(limit + 1)
    except OSError:
        raise InvalidRequest(f"{option}: {path} could not be read.", hint="Check the file's path.") from None


def _command(fn: Any) -> Any:
    return lambda args: _with_studio(fn, args)


_COMMANDS = {
    "models": _models,
    "voices": _voices,
    "verify": _verify,
    "generate": _command(_generate),
    "jobs": _command(_jobs),
    "worker": _command(_worker),
    "creatives": _command(_creatives),
    "batch": _command(lambda studio, args: cli_batch.batch(studio, args, _agreed)),
    "batches": _command(cli_batch.batches),
    "export": _command(_export),
    "exports": _command(_exports),
    "brand": _command(_brand),
    "token": _command(_token),
    "users": _command(_users),
    "budget": _command(cli_budget.budget),
    "spend": _command(cli_budget.spend),
    "review-link": _command(cli_review.share),
    "review-links": _command(cli_review.links),
    "review-revoke": _command(cli_review.revoke),
    "reviews": _command(cli_review.reviews),
    "approval": _command(cli_review.approval),
}

if __name__ == "__main__":
    sys.exit(main())
