"""The `clapboard` command as a user runs it: real files, decoded output; in a process of its own where the test
is about the process (what it imports, its memory, its arguments' bytes, several at once, its data home)."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from unittest import mock

import av

from chat.cli import main
from tools.media import probe


def clapboard(data_dir: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The command run by its `main` in this process, from the folder above `data_dir`: its exit code and what it
    printed. A process per command cost 1 to 1.5 s of CPU, mostly importing the app again. What main freezes for a
    process's end (and its job runner for its start) is not frozen here: undone with `gc.unfreeze`, that thawed the
    whole test process, which each command's next collection then walked (0.1 s each)."""
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    environ, cwd, thresholds = dict(os.environ), Path.cwd(), gc.get_threshold()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ["CLAPBOARD_DATA_DIR"] = str(data_dir)
        os.chdir(data_dir.parent)
        with (
            redirect_stdout(out),
            redirect_stderr(err),
            mock.patch.object(sys, "stdin", io.StringIO(stdin)),
            mock.patch.object(gc, "freeze"),
        ):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's usage errors
                code = exc.code if isinstance(exc.code, int) else 2
    finally:  # main's process-wide settings, and the .env files it loads into the environment, end with it
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)
        gc.set_threshold(*thresholds)
    return subprocess.CompletedProcess(["clapboard", *args], code, out.getvalue(), err.getvalue())


def test_generate_then_list_creatives(tmp_path: Path, product_png: Path) -> None:
    data = tmp_path / "data"
    done = clapboard(data, "generate", "--prompt", "6 second product showcase of our sneaker, $129, Shop now",
                     "--template", "product-showcase", "--duration", "6", "--aspect", "9:16",
                     "--ref", str(product_png), "--campaign", "Spring sale", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    creative = json.loads(done.stdout)
    assert {"id", "campaign", "model", "duration_s", "width", "height", "file", "url"} <= creative.keys()
    assert (creative["campaign"], creative["model"], creative["width"], creative["height"]) == (
        "Spring sale", "draft", 480, 854,
    )  # fmt: skip
    info = probe(Path(creative["file"]), count_frames=True)
    assert info.codec == "h264" and info.frames == 6 * 24 and abs(info.duration_s - 6) <= 1 / 24

    listed = clapboard(data, "creatives", "--campaign", "spring sale", "--json")
    assert listed.returncode == 0, listed.stderr
    assert [c["id"] for c in json.loads(listed.stdout)] == [creative["id"]]

    jobs = clapboard(data, "jobs", "--status", "succeeded", "--json")
    assert jobs.returncode == 0, jobs.stderr
    [job] = json.loads(jobs.stdout)
    assert (job["creative_id"], job["campaign"], job["status"], job["origin"]) == (
        creative["id"], "Spring sale", "succeeded", "cli",
    )  # fmt: skip
    table = clapboard(data, "jobs")
    assert job["id"][:8] in table.stdout and "succeeded" in table.stdout and "free" in table.stdout
    assert clapboard(data, "jobs", "--status", "queued").stdout.strip() == "No jobs queued."
    assert clapboard(data, "jobs", "--status", "lost").returncode == 2


def test_generate_with_a_voice_over_then_show_its_voice_loudness_and_captions(tmp_path: Path) -> None:
    data = tmp_path / "data"
    done = clapboard(data, "generate", "--prompt", 'a lamp ad, headline "Meet Aero"', "--duration", "4",
                     "--script", "Meet Aero. Light that follows you.", "--no-music", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    creative = json.loads(done.stdout)
    sound = creative["sound"]
    assert sound["voice"] == "joe" and sound["music"] is None and abs(sound["lufs"] + 14) <= 1
    assert [line["text"] for line in sound["lines"]] == ["Meet Aero.", "Light that follows you."]
    shown = clapboard(data, "creatives", "show", creative["id"][:8])
    assert shown.returncode == 0, shown.stderr
    assert "voice-over: joe; music: none" in shown.stdout and "LUFS (target -14)" in shown.stdout
    assert "captions (SRT): " in shown.stdout and "captions (VTT): " in shown.stdout
    silent = clapboard(data, "generate", "--prompt", "a lamp ad with a voice-over", "--no-voice", "--no-captions",
                       "--duration", "2", "--json")  # fmt: skip
    assert silent.returncode == 0, silent.stderr
    quiet = json.loads(silent.stdout)
    assert quiet["captions_srt_url"] is None and (quiet["sound"] or {}).get("voice") is None


def test_a_creative_is_renamed_and_deleted_by_the_start_of_its_id(tmp_path: Path) -> None:
    data = tmp_path / "data"
    kite = json.loads(clapboard(data, "generate", "--prompt", "a vertical clip of a red kite", "--duration", "2",
                                "--json").stdout)  # fmt: skip
    assert kite["title"] == "Red kite, vertical"
    short = kite["id"][:8]  # as `clapboard creatives` prints it
    renamed = clapboard(data, "creatives", "rename", short, "  Kite teaser  ", "--json")
    assert renamed.returncode == 0 and json.loads(renamed.stdout)["title"] == "Kite teaser", renamed.stderr

    asked = clapboard(data, "creatives", "delete", short)  # no terminal to answer: nothing happens
    assert asked.returncode == 2 and '"Kite teaser" on Default campaign was not deleted. Add --yes' in asked.stderr
    assert Path(kite["file"]).is_file()
    deleted = clapboard(data, "creatives", "delete", short, "--yes")
    assert deleted.returncode == 0 and f'Deleted {short} "Kite teaser"' in deleted.stdout, deleted.stderr
    assert not Path(kite["file"]).exists() and not Path(kite["file"]).with_name("poster.jpg").exists()
    missing = clapboard(data, "creatives", "rename", short, "Kite")
    assert missing.returncode == 2 and f"There is no creative {short}" in missing.stderr


def test_bad_arguments_exit_2_with_a_clear_message_and_write_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    not_image = tmp_path / "logo.png"
    not_image.write_bytes(b"\x7fELF" + bytes(4000))
    cases = [
        (["--prompt", "a kite", "--duration", "150"], "offers 2–120 s"),
        (["--prompt", "a kite", "--aspect", "21:9"], "does not make 21:9"),
        (["--prompt", "a kite", "--model", "sora-9"], "no model called"),
        (["--prompt", "   "], "prompt is empty"),
        (["--prompt", "a kite", "--ref", str(not_image)], "not"),
        (["--prompt", "a kite", "--duration", "eight"], "invalid int value"),
    ]
    for args, expected in cases:
        done = clapboard(data, "generate", *args)
        assert done.returncode == 2, (args, done.stderr)
        assert expected in done.stderr, (args, done.stderr)
        assert "Traceback" not in done.stderr
    listed = clapboard(data, "creatives", "--json")
    assert json.loads(listed.stdout) == []
    assert not (data / "files").exists() or not list((data / "files").rglob("*.*"))


def test_models_lists_every_model_with_limits_and_price(tmp_path: Path) -> None:
    done = clapboard(tmp_path / "data", "models", "--json")
    assert done.returncode == 0, done.stderr
    models = {m["id"]: m for m in json.loads(done.stdout)}
    assert models["draft"]["durations"] == "2–120 s" and models["draft"]["available"]
    assert (models["veo-3.1"]["slug"], models["draft"]["slug"]) == ("google/veo-3.1", None)
    table = clapboard(tmp_path / "data", "models")
    assert "draft" in table.stdout and "free" in table.stdout
    assert "provider slug" in table.stdout and "google/veo-3.1" in table.stdout


def test_voices_lists_every_voice_with_price_licence_and_whether_it_speaks_here(tmp_path: Path) -> None:
    done = clapboard(tmp_path / "data", "voices", "--json")
    assert done.returncode == 0, done.stderr
    voices = {v["id"]: v for v in json.loads(done.stdout)}
    joe = voices["joe"]
    assert (joe["engine"], joe["gender"], joe["usd_per_1k_chars"], joe["available"]) == ("piper", "male", 0.0, True)
    premium = [v for v in voices.values() if v["engine"] == "replicate"]
    assert premium and all(v["usd_per_1k_chars"] > 0 and not v["available"] for v in premium)  # no Replicate token
    assert {v["gender"] for v in premium} == {"female", "male"} and all(v["licence"] for v in voices.values())
    table = clapboard(tmp_path / "data", "voices")
    assert "joe" in table.stdout and "free" in table.stdout and "needs REPLICATE_API_TOKEN" in table.stdout
    refused = clapboard(tmp_path / "data", "generate", "--prompt", "a lamp ad", "--voice", "hazel")
    assert refused.returncode == 2 and "connect Replicate" in refused.stderr
    both = clapboard(tmp_path / "data", "generate", "--prompt", "a lamp ad", "--voice", "joe", "--no-voice")
    assert both.returncode == 2 and "not allowed with" in both.stderr


def test_users_are_managed_from_the_cli_and_scope_what_it_shows(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = clapboard(data, "users", "add", "alice", "--team", "acme", "--email", "alice@acme.example",
                      "--password-stdin", stdin="alice-password\n")  # fmt: skip
    assert added.returncode == 0 and "Added alice (member) to team acme" in added.stdout, added.stderr
    assert clapboard(data, "users", "add", "carol", "--team", "globex", "--admin",
                     "--password-stdin", stdin="carol-password\n").returncode == 0  # fmt: skip
    again = clapboard(data, "users", "add", "alice", "--team", "acme", "--password-stdin", stdin="x" * 12 + "\n")
    assert again.returncode == 2 and "already a user called 'alice'" in again.stderr  # the rules: tools/test_teams
    listed = json.loads(clapboard(data, "users", "list", "--json").stdout)
    assert [(u["team"], u["name"], u["role"]) for u in listed] == [("acme", "alice", "member"),
                                                                    ("globex", "carol", "admin")]  # fmt: skip
    assert all("hash" not in json.dumps(u) for u in listed)

    anonymous = clapboard(data, "creatives")
    assert anonymous.returncode == 2 and "Name the user" in anonymous.stderr  # users exist: say who you are
    made = clapboard(data, "generate", "--as", "alice", "--prompt", "a 2 second clip of a boat", "--duration", "2",
                     "--json")  # fmt: skip
    creative = json.loads(made.stdout)
    assert creative["made_by"] == "alice"
    assert clapboard(data, "creatives", "--as", "carol", "--json").stdout.strip() == "[]"
    theirs = clapboard(data, "creatives", "--as", "carol", "delete", creative["id"][:8], "--yes")
    assert theirs.returncode == 2 and "There is no creative" in theirs.stderr  # another team's id
    renamed = clapboard(data, "creatives", "rename", creative["id"][:8], "Boat clip", "--as", "alice")
    assert renamed.returncode == 0, renamed.stderr
    jobs = clapboard(data, "jobs", "--as", "alice")
    assert "asked by alice" in jobs.stdout

    removed = clapboard(data, "users", "remove", "alice")
    assert removed.returncode == 0 and "no longer work" in removed.stdout
    gone = clapboard(data, "creatives", "--as", "alice")
    assert gone.returncode == 2 and "no user called 'alice'" in gone.stderr


def test_serve_without_users_refuses_to_listen_beyond_loopback(tmp_path: Path) -> None:
    refused = clapboard(tmp_path / "data", "serve", "--host", "0.0.0.0", "--port", "1")
    assert refused.returncode == 2
    assert "only listens on 127.0.0.1 until you add one" in refused.stderr
    assert "clapboard users add NAME --team TEAM --admin --password-stdin" in refused.stderr


def test_serve_and_the_worker_collect_garbage_as_usual(tmp_path: Path) -> None:
    """The CLI collects less often while it imports, for a short-lived command; a server or worker lives long."""
    seen: list[tuple[int, ...]] = []

    async def worker(args: object) -> int:
        seen.append(gc.get_threshold())
        return 0

    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(701, 11, 12)
        with (
            mock.patch("chat.cli.serve", lambda *args: seen.append(gc.get_threshold()) or 0),
            mock.patch.dict("chat.cli._COMMANDS", {"worker": worker}),
        ):
            assert clapboard(tmp_path / "data", "serve").returncode == 0
            assert clapboard(tmp_path / "data", "worker").returncode == 0
    finally:
        gc.set_threshold(*thresholds)
    assert seen == [(701, 11, 12)] * 2


def test_a_compression_bomb_link_costs_the_cli_little_memory(tmp_path: Path) -> None:
    """`--ref` links to 1 GiB zstd, gzip and deflate bombs: refused, each process peaking under 64 MB above the
    same command refused a plain web page."""
    from tests.fakes.bombs import bomb
    from tests.fakes.http_server import Reply, ScriptedHTTPServer
    from tests.fakes.memory import child_peak_mb

    def peak_mb(server: ScriptedHTTPServer, path: str) -> tuple[float, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
        env.update(
            CLAPBOARD_DATA_DIR=str(tmp_path / "data"), CLAPBOARD_URL_ALLOWED_HOSTS=f'["127.0.0.1:{server.port}"]'
        )
        run = subprocess.Popen(
            [sys.executable, "-m", "chat.cli", "generate", "--prompt", "a kite", "--ref", server.url(path)],
            env=env, cwd=tmp_path, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        assert run.stderr is not None
        stderr = run.stderr.read().decode()
        return child_peak_mb(run), stderr

    with ScriptedHTTPServer() as server:
        server.route("/page", Reply(body=b"<html></html>", content_type="text/html"))
        baseline, said = peak_mb(server, "/page")
        assert "is a web page" in said, said
        for coding in ("zstd", "gzip", "deflate"):
            server.route(f"/{coding}.png", bomb(coding))
            peak, said = peak_mb(server, f"/{coding}.png")
            print(f"CLI, {coding} bomb: peak {peak:.0f} MB, +{peak - baseline:.1f} MB over a refused web page")
            assert "error: The image at 127.0.0.1/" in said and "Traceback" not in said, said
            assert peak - baseline < 64, (coding, peak, baseline)


def test_text_that_cannot_be_stored_is_refused_naming_the_option(tmp_path: Path) -> None:
    """Control characters (C1 too), noncharacters, and bytes that are not UTF-8 (Python turns them into lone
    surrogates), in any text option: exit 2, the option named, nothing written."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    env["CLAPBOARD_DATA_DIR"] = str(data)
    for option, value in (("--prompt", b"a kite \xff over a beach"), ("--campaign", b"Spring\x07"),
                          ("--title", b"Kite\x1b[2J"), ("--aspect", b"9:16\xed\xa0\x80"),
                          ("--campaign", b"Spring\xc2\x9b2J"), ("--title", b"Kite\xef\xb7\x90")):  # fmt: skip
        args = [b"--prompt", b"a kite", option.encode(), value] if option != "--prompt" else [b"--prompt", value]
        done = subprocess.run([sys.executable.encode(), b"-m", b"chat.cli", b"generate", *args], capture_output=True,
                              env=env, cwd=tmp_path, timeout=120)  # fmt: skip
        said = done.stderr.decode(errors="replace")
        assert done.returncode == 2, (option, said)
        assert f"error: {option}: The text has characters that cannot be stored" in said, (option, said)
    assert json.loads(clapboard(data, "jobs", "--json").stdout) == []


LOADED = (
    "import json, sys\n"
    "from chat.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)\n"
    "sys.exit(code)\n"
)
NEVER = {"langchain", "langchain_core", "langchain_openai", "langgraph", "chainlit", "fastapi", "literalai"}


def loaded_by(data_dir: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run the command in a process of its own; what it printed, and the top-level packages it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    env["CLAPBOARD_DATA_DIR"] = str(data_dir)
    done = subprocess.run([sys.executable, "-c", LOADED, *args], capture_output=True, text=True, env=env,
                          cwd=data_dir.parent, timeout=240)  # fmt: skip
    return done, set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_commands_import_only_what_they_use(tmp_path: Path) -> None:
    """`clapboard models` and `generate` used to load LangChain, the planner's chat model and the whole ORM
    before doing anything (1.7 s to print a table)."""
    done, modules = loaded_by(tmp_path / "data", "models", "--json")
    assert done.returncode == 0, done.stderr
    assert not modules & (NEVER | {"sqlalchemy", "alembic", "av", "PIL", "replicate"})
    done, modules = loaded_by(tmp_path / "data", "generate", "--prompt", "a red kite, Fly higher", "--duration", "2",
                              "--no-audio", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not modules & (NEVER | {"replicate"})
    with av.open(json.loads(done.stdout)["file"]) as video:
        assert len(video.streams.video) == 1 and not video.streams.audio  # --no-audio: no audio stream at all
    # The first command made the database; with nothing to migrate, Alembic is not even loaded.
    done, modules = loaded_by(tmp_path / "data", "generate", "--prompt", "a red kite, Fly higher", "--duration", "2",
                              "--no-audio", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert not modules & (NEVER | {"replicate", "alembic"})


def test_first_commands_started_together_on_an_empty_folder_all_succeed(tmp_path: Path) -> None:
    """Four first commands at once on a fresh SQLite folder: the migrations run once, the others wait for them."""
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE"))}
    env["CLAPBOARD_DATA_DIR"] = str(data)
    commands = [["jobs"], ["creatives"], ["jobs", "--json"], ["users", "list"]]
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "chat.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        for args in commands
    ]
    said = [run.communicate(timeout=240) for run in runs]
    assert [(run.returncode, err) for run, (_, err) in zip(runs, said, strict=True)] == [(0, "")] * 4
    assert json.loads(said[2][0]) == []


# The CLI as a package installed from a wheel runs it (this suite runs from a checkout, whose data folder it keeps).
INSTALLED = "import sys, campaign.settings as s; s.CHECKOUT = None; from chat.cli import main; sys.exit(main())"


def test_the_cli_keeps_one_data_home_whatever_the_current_folder(tmp_path: Path) -> None:
    """Run from anywhere, the CLI finds the same database and secret (the user's data folder), says where it is in
    its help, and never starts an empty database in the current folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE",
                                                                     "CLAPBOARD_", "XDG_"))}  # fmt: skip
    env.update(HOME=str(tmp_path / "home"), XDG_DATA_HOME=str(tmp_path / "share"))
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir(), two.mkdir()

    def run(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", INSTALLED, *args], capture_output=True, text=True, env=env,
                              cwd=cwd, timeout=240, input=stdin)  # fmt: skip

    added = run(one, "users", "add", "alice", "--team", "acme", "--password-stdin", stdin="alice-password\n")
    assert added.returncode == 0, added.stderr
    listed = run(two, "users", "list", "--json")
    assert [u["name"] for u in json.loads(listed.stdout)] == ["alice"], listed.stderr
    assert sorted(p.name for p in [*one.iterdir(), *two.iterdir()]) == []
    home = tmp_path / "share" / "clapboard"
    assert (home / "clapboard.db").is_file() and (home / ".secret_key").is_file()
    assert f"Your data lives in {home}" in " ".join(run(two, "--help").stdout.split())


def test_creatives_show_prints_a_paid_videos_footage_and_a_draft_has_none(tmp_path: Path) -> None:
    import sqlite3

    data = tmp_path / "data"
    kite = json.loads(clapboard(data, "generate", "--prompt", "a clip of a red kite", "--duration", "2",
                                "--json").stdout)  # fmt: skip
    short = kite["id"][:8]
    assert kite["footage_url"] is None
    draft = clapboard(data, "creatives", "show", short)
    assert draft.returncode == 0 and kite["file"] in draft.stdout and "footage" not in draft.stdout

    key = f"creatives/{kite['id']}/footage.mp4"  # as a paid model's job keeps it
    (data / "files" / key).write_bytes(b"raw footage")
    with sqlite3.connect(data / "clapboard.db") as db:
        db.execute("UPDATE creatives SET footage_key = ? WHERE id = ?", (key, kite["id"]))
    shown = clapboard(data, "creatives", "show", short)
    assert shown.returncode == 0 and "footage: " in shown.stdout, shown.stderr
    as_json = json.loads(clapboard(data, "creatives", "show", short, "--json").stdout)
    assert as_json["footage_key"] == key and "-footage.mp4" in as_json["footage_url"]
    link, _, query = as_json["footage_url"].partition("?exp=")  # each call signs its own expiry, to the second
    assert f"{link}?exp=" in shown.stdout and query.partition("&download=")[2] in shown.stdout


def test_verify_reads_a_files_content_credentials_without_a_database(tmp_path: Path) -> None:
    from tests.conftest import make_settings
    from tests.tools.delivery.test_credentials import FINISHED_VEO, mp4
    from tools.delivery.credentials import sign

    data, signed = tmp_path / "data", tmp_path / "ad.mp4"
    sign(mp4(tmp_path / "raw.mp4"), signed, FINISHED_VEO, make_settings(data), ingredient=mp4(tmp_path / "veo.mp4"))
    done = clapboard(data, "verify", str(signed))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == ("Content credentials: valid (signed by Clapboard local signer (Clapboard), not on a trust "
                        "list: a local certificate)")  # fmt: skip
    assert "Made by:  Veo 3.1" in lines and "Source:   compositeWithTrainedAlgorithmicMedia" in lines
    assert "Actions:  created, placed, edited, resized, transcoded" in lines
    as_json = clapboard(data, "verify", str(signed), "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["model"] == "Veo 3.1"
    assert not (data / "clapboard.db").exists()  # it read a file, nothing else

    altered = bytearray(signed.read_bytes())
    altered[-20] ^= 0xFF
    signed.write_bytes(bytes(altered))
    done = clapboard(data, "verify", str(signed))
    assert done.returncode == 1 and done.stdout.startswith("Content credentials: NOT VALID")
    assert "assertion.bmffHash.mismatch" in done.stdout
    assert json.loads(clapboard(data, "verify", str(signed), "--json").stdout)["valid"] is False

    done = clapboard(data, "verify", str(tmp_path / "raw.mp4"))
    assert (done.returncode, done.stderr) == (2, "error: raw.mp4 carries no content credentials. Files exported "
                                              "from Clapboard are signed.\n")  # fmt: skip
    assert clapboard(data, "verify", str(tmp_path / "gone.mp4")).returncode == 2
