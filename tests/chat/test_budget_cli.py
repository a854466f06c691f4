"""`clapboard budget set|show` and `clapboard spend`, run in this process against the fake Replicate: the operator
sets a team's budget without signing in, `generate --yes` over it prints the refusal and exits non-zero with no
prediction made, raising it lets the video run, and `spend` prints the ledger's estimated and actual columns."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from campaign.settings import Settings
from chat.cli import _run
from tests.fakes.replicate_server import FakeReplicate

Cli = Callable[..., tuple[int, str, str]]
PAID = ("generate", "--prompt", "a sneaker turning on a plinth", "--model", "veo-3.1", "--duration", "6", "--audio",
        "--aspect", "16:9", "--no-voice", "--yes")  # fmt: skip  # $2.40


@pytest.fixture
def cli(
    settings: Settings,
    fake_replicate: FakeReplicate,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    """`clapboard ARGS` on the test's data folder, with Replicate (the fake): its exit code, output and errors."""
    for name in os.environ:
        if name.startswith(("OPENAI", "POE", "REPLICATE", "DATABASE", "CLAPBOARD")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CLAPBOARD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("REPLICATE_API_TOKEN", fake_replicate.token)
    monkeypatch.setenv("REPLICATE_BASE_URL", fake_replicate.base_url)
    monkeypatch.setenv("CLAPBOARD_REPLICATE_POLL_S", "0.01")
    monkeypatch.chdir(settings.data_dir.parent)

    def run(*args: str) -> tuple[int, str, str]:
        code = _run(list(args))
        said = capsys.readouterr()
        return code, said.out, said.err

    return run


def _month() -> str:
    return datetime.now(UTC).strftime("%B")


def test_generate_over_the_budget_exits_non_zero_until_the_operator_raises_it(
    cli: Cli, fake_replicate: FakeReplicate
) -> None:
    code, out, err = cli("budget", "set", "--team", "default", "--monthly", "2")  # the person at the machine's team
    assert (code, out) == (0, "The default team's monthly budget is now $2.00.\n"), err
    code, out, err = cli(*PAID)
    assert code != 0 and out == ""
    assert err.startswith("error: This costs $2.40, more than is left of the default team's monthly budget of $2.00")
    assert "so $2.00 is left. Nothing was started." in err
    assert "Ask an admin to raise it to $3.00 (in the API: PUT /api/budgets/team; the machine's operator: clapboard " \
        "budget set --team default --monthly 3)" in err  # fmt: skip
    assert fake_replicate.creates() == []
    [total, said] = cli("spend")[1].splitlines()[-2:]
    assert total.split() == ["total", "$0.00", "$0.00"]
    assert said == f"{_month()}: $0.00 spent, $0.00 reserved, $2.00 left of the $2.00 budget"

    assert cli("budget", "set", "--team", "default", "--monthly", "$5")[0] == 0
    code, out, err = cli(*PAID, "--json")
    assert code == 0, err
    assert len(fake_replicate.creates()) == 1
    code, out, _ = cli("spend")
    [header, _, line, total, said] = out.splitlines()[:5]
    assert header.startswith("Spend of default in ")
    assert line.split()[-5:] == ["owner", "-", "succeeded", "$2.40", "$2.40"]
    assert total.split() == ["total", "$2.40", "$2.40"]
    assert said == f"{_month()}: $2.40 spent, $0.00 reserved, $2.60 left of the $5.00 budget"
    ledger = json.loads(cli("spend", "--json")[1])
    assert [(x["estimated_usd"], x["actual_usd"], x["settled"], x["who"]) for x in ledger["lines"]] == [
        (2.4, 2.4, True, "owner")]  # fmt: skip
    print("\n" + out)  # the ledger as `clapboard spend` prints it (-s shows it)


def test_user_budgets_show_and_what_the_cli_refuses(cli: Cli) -> None:
    assert cli("users", "add", "bob", "--team", "acme")[0] == 0
    assert cli("budget", "set", "--user", "bob", "--monthly", "3")[1] == "bob's monthly budget is now $3.00.\n"
    assert cli("budget", "set", "--team", "acme", "--monthly", "5000")[1] == \
        "The acme team's monthly budget is now $5,000.00.\n"  # fmt: skip
    code, out, err = cli("budget", "show", "--as", "bob")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Budgets of acme for ") and "(changed by the operator" in lines[0]
    assert lines[2].split() == ["team", "acme", "$5,000.00", "$0.00", "$0.00", "$5,000.00"]
    assert lines[3].split() == ["bob", "$3.00", "$0.00", "$0.00", "$3.00"]
    shown = json.loads(cli("budget", "show", "--as", "bob", "--json")[1])
    assert shown["users"][0]["spend"]["budget_usd"] == 3.0 and shown["users"][0]["set_by"] is None

    assert cli("budget", "set", "--user", "bob", "--remove")[1] == "bob's monthly budget is removed: nothing " \
        "limits it now.\n"  # fmt: skip
    code, _, err = cli("budget", "set", "--user", "bob", "--remove")
    assert code == 2 and err == "error: There is no such budget to remove.\n"
    code, _, err = cli("budget", "set", "--user", "nobody", "--monthly", "3")
    assert code == 2 and "There is no user called 'nobody'" in err
    code, _, err = cli("budget", "set", "--team", "nope", "--monthly", "3")
    assert code == 2 and "There is no team called 'nope'" in err
    with pytest.raises(SystemExit):
        cli("budget", "set", "--team", "acme", "--monthly", "-3")
    with pytest.raises(SystemExit):
        cli("budget", "set", "--team", "acme", "--user", "bob", "--monthly", "3")
    code, _, err = cli("spend", "--as", "bob", "--month", "2026-13")
    assert code == 2 and "'2026-13' is not a month: give it as YYYY-MM" in err
