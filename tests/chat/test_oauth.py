"""Chainlit's OAuth sign-in, mapped to our users by email, in a process whose environment names a provider (the
hook can only be registered when one is configured, at import)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, json, sys
import chainlit as cl
from chainlit.auth import get_configuration
from chainlit.config import config
from chat import runtime
from chat.server import create_app
from tests.conftest import make_settings

async def main():
    settings = make_settings(sys.argv[1], oauth_team_domains={"acme.example": "acme"})
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="globex", password=None, email="alice@globex.example")
        sign_in = config.code.oauth_callback
        seen = {}
        for email in ("Alice@Globex.example", "new.person@acme.example", "eve@evil.example"):
            user = await sign_in("github", "token", {"email": email}, cl.User(identifier="gh"), None)
            seen[email] = user and [user.display_name, user.metadata["team"], user.metadata["role"]]
        seen["providers"] = get_configuration()["oauthProviders"]
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_oauth_sign_ins_map_to_users_by_email_and_join_listed_domains(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "REPLICATE", "DATABASE"))}
    env.update(OAUTH_GITHUB_CLIENT_ID="client-id", OAUTH_GITHUB_CLIENT_SECRET="client-secret")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "data")], env=env, cwd=root,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["providers"] == ["github"], done.stderr[-3000:]
    assert seen["Alice@Globex.example"] == ["alice", "globex", "member"], done.stderr[-3000:]
    assert seen["new.person@acme.example"] == ["new.person", "acme", "member"]  # a listed domain joins its team
    assert seen["eve@evil.example"] is None
