"""The `clapboard` command: serve the chat, list models and creatives, generate a video, mint API tokens."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from dotenv import load_dotenv
from pydantic import ValidationError

from campaign.errors import ClapboardError
from campaign.models import JobStatus
from campaign.settings import Settings
from chat.planner import generation_args
from chat.tokens import issue_token
from tools.jobs import JobEvent, VideoRequest
from tools.studio import Studio

EXIT_FAILED, EXIT_USAGE = 1, 2
APP = Path(__file__).with_name("app.py")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clapboard", description="Video creatives for marketing campaigns.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="start the chat")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    models = sub.add_parser("models", help="list the video models with their limits, price and availability")
    models.add_argument("--json", action="store_true")
    models.add_argument("--refresh", action="store_true", help="read each model's live schema from Replicate")

    gen = sub.add_parser(
        "generate",
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
    gen.add_argument("--refine", action=argparse.BooleanOptionalAction, default=None,
                     help="rewrite the brief for the model (default: on for paid models)")  # fmt: skip
    gen.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None, help="sound, where offered")
    gen.add_argument("--yes", action="store_true", help="accept the price of a paid model without asking")
    gen.add_argument("--json", action="store_true", help="print the creative as one JSON object")

    jobs = sub.add_parser("jobs", help="list jobs, newest first: the queue and what became of each request")
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
        default=("render", "replicate"),
        help="render (drafts, CPU-bound), replicate (provider I/O), or both: render,replicate",
    )
    worker.add_argument("--concurrency", type=_positive, help="jobs at a time (default CLAPBOARD_MAX_CONCURRENT_JOBS)")

    creatives = sub.add_parser("creatives", help="list creatives, newest first")
    creatives.add_argument("--campaign")
    creatives.add_argument("--json", action="store_true")

    token = sub.add_parser("token", help="print a bearer token for the REST API")
    token.add_argument("--user", type=_name, default="api", help="who the token is for (its subject)")
    token.add_argument("--days", type=_positive, default=30, help="days until the token expires")
    return parser


def _name(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    return text.strip()


def _queues(text: str) -> tuple[str, ...]:
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in ("render", "replicate")]
    if not names or unknown:
        raise argparse.ArgumentTypeError("the queues are render and replicate")
    return names


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    load_dotenv(".env", override=False)  # boto3 and others read their names from the environment
    if args.command == "serve":
        return serve(args.host, args.port)
    try:
        return asyncio.run(_COMMANDS[args.command](args))
    except ValidationError as exc:
        print(
            "error: " + "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()),
            file=sys.stderr,
        )
        return EXIT_USAGE
    except ClapboardError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # `clapboard creatives | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def serve(host: str, port: int) -> int:
    """Run the Chainlit app (headless: the browser is the user's to open)."""
    env = dict(os.environ)
    env.pop("CI", None)  # chainlit's CI mode would overwrite OPENAI_API_KEY
    root = APP.parent.parent
    env.setdefault("CHAINLIT_APP_ROOT", str(root if (root / ".chainlit").is_dir() else Path.cwd()))
    command = [
        sys.executable,
        "-m",
        "chainlit",
        "run",
        str(APP),
        "--headless",
        "--host",
        host,
        "--port",
        str(port),
    ]
    print(f"Clapboard chat on http://{host}:{port}", file=sys.stderr)
    os.execvpe(command[0], command, env)


async def _with_studio(fn: Any, args: argparse.Namespace) -> int:
    studio = await Studio.open(Settings(), server=False)  # jobs are run here (SQLite) or by the workers
    try:
        return await fn(studio, args)
    finally:
        await studio.close()


async def _models(studio: Studio, args: argparse.Namespace) -> int:
    if args.refresh:
        from tools.schema import refresh_catalog

        report = await refresh_catalog(studio.settings)
        studio.catalog = report.catalog
        if not args.json:
            print("\n".join(report.lines()) + f"\nSaved to {report.cache_file}\n")
    views = studio.models()
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


def _request_fields(args: argparse.Namespace, model_names: list[str]) -> dict[str, Any]:
    """The flags, completed by what the prompt itself says ("6 second vertical", a model, a template, URLs)."""
    flags = {"prompt", "model", "duration_s", "aspect", "resolution", "fps", "template", "references",
             "campaign", "title", "refine", "audio"}  # fmt: skip
    given = {k: v for k, v in vars(args).items() if k in flags and v is not None}
    said = generation_args(args.prompt, model_names)
    given["references"] = [*given.get("references", []), *said.pop("reference_urls", [])]
    given["prompt"] = said.pop("prompt") or args.prompt
    for key, value in said.items():
        if key not in given:
            given[key] = value
        elif given[key] != value and not args.json:
            flag = "--" + key.removesuffix("_s")
            print(f"note: using {flag} {given[key]}, not the prompt's {value}.", file=sys.stderr)
    return given


async def _generate(studio: Studio, args: argparse.Namespace) -> int:
    request = VideoRequest(**_request_fields(args, studio.catalog.names()))

    async def progress(event: JobEvent) -> None:
        if event.kind in ("running", "progress") and not args.json:
            pct = f" {round(event.fraction * 100)}%" if event.fraction is not None else ""
            print(f"[{event.kind}{pct}] {event.message}", file=sys.stderr)

    studio.subscribe(progress)
    submitted = await studio.submit(request, origin="cli", confirmed=args.yes, allow_paths=True)
    if submitted.prompt_sent != submitted.prompt and not args.json:
        print(
            f"Prompt sent to the model ({submitted.refine_method}):\n{submitted.prompt_sent}\n",
            file=sys.stderr,
        )
    if submitted.needs_confirmation:
        price = f"${submitted.estimated_cost_usd:.2f}"
        if not (
            sys.stdin.isatty()
            and input(f"{submitted.model_name} costs about {price}. Go ahead? [y/N] ").strip().lower() in ("y", "yes")
        ):
            await studio.cancel(submitted.job_id, by="cli")
            print(
                f"error: {submitted.model_name} costs about {price}; nothing was started. "
                "Add --yes to accept the price.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        await studio.confirm(submitted.job_id)
    job = await studio.wait(submitted.job_id)
    if job.status != JobStatus.succeeded:
        print(f"error: the job failed at the {job.stage or 'render'} stage: {job.error}", file=sys.stderr)
        return EXIT_FAILED
    creative = await studio.creative(job.creative_id)
    if args.json:
        print(json.dumps(creative.model_dump(), indent=2))
    else:
        print(
            f"{creative.title}: {creative.duration_s:g} s {creative.width}x{creative.height} by {creative.model}"
            f" on {creative.campaign}\n{creative.file or creative.url}"
        )
        if creative.notice:
            print(creative.notice)
    return 0


async def _creatives(studio: Studio, args: argparse.Namespace) -> int:
    items = await studio.creatives(args.campaign)
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


async def _jobs(studio: Studio, args: argparse.Namespace) -> int:
    items = await studio.jobs(status=args.status, campaign=args.campaign, limit=args.limit)
    if args.json:
        print(json.dumps([j.model_dump() for j in items], indent=2))
        return 0
    for j in items:
        made = f" -> {j.model_used}" if j.model_used and j.model_used != j.model else ""
        state = f"{j.status} {round(j.progress * 100)}%" if j.status == JobStatus.running else j.status
        cost = f"${j.estimated_cost_usd:.2f}" if j.estimated_cost_usd else "free"
        print(f"{j.id[:8]}  {j.created_at[:16]}  {state:<22} {j.model + made:<24} {cost:>7}  {j.title}")
        if j.error:
            print(f"          {j.stage} stage: {j.error}")
    if not items:
        print("No jobs" + (f" {args.status.replace('_', ' ')}" if args.status else "") + ".")
    return 0


async def _worker(studio: Studio, args: argparse.Namespace) -> int:
    from tools.jobs.queue import QueueBackend

    if not isinstance(studio.backend, QueueBackend):
        print("error: workers take jobs from PostgreSQL: set DATABASE_URL (with SQLite the server runs them).",
              file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    print(f"Worker on {', '.join(args.queues)}; stop with Ctrl-C.", file=sys.stderr)
    await studio.backend.work(queues=args.queues, concurrency=args.concurrency)
    return 0


async def _token(studio: Studio, args: argparse.Namespace) -> int:
    print(issue_token(studio.settings, args.user, ttl_s=args.days * 24 * 3600))
    return 0


def _command(fn: Any) -> Any:
    return lambda args: _with_studio(fn, args)


_COMMANDS = {
    "models": _command(_models),
    "generate": _command(_generate),
    "jobs": _command(_jobs),
    "worker": _command(_worker),
    "creatives": _command(_creatives),
    "token": _command(_token),
}

if __name__ == "__main__":
    sys.exit(main())
