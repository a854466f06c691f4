"""Password sign-in's work: the same hash whether or not the user exists, in a worker thread, a few at a time;
a login no user can have (a NUL) is simply not a user, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
from argon2 import Type
from pwdlib.hashers.argon2 import Argon2Hasher

from campaign import people
from campaign.errors import InvalidRequest
from tests.conftest import PRODUCTION_HASHER, make_settings
from tools.studio import Studio


class Hashes:
    """pwdlib's hasher, noting each password check: its thread, and how many ran at once."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.real = people._hasher
        self.hold = hold
        self.threads: list[int] = []
        self.running = self.most = 0
        self.released: list[bool] = []
        self.lock = threading.Lock()

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, password: str, password_hash: str) -> bool:
        with self.lock:
            self.threads.append(threading.get_ident())
            self.running += 1
            self.most = max(self.most, self.running)
        if self.hold is not None:
            self.released.append(self.hold.wait(5))  # set by the event loop, if the loop is free
        try:
            return self.real.verify(password, password_hash)
        finally:
            with self.lock:
                self.running -= 1


@pytest.fixture
async def accounts_studio(database_url: str, tmp_path: Path) -> Any:
    studio = await Studio.open(make_settings(tmp_path / "data", database_url=database_url))
    await studio.accounts.add("alice", team="acme", password="alice-password", email="alice@acme.example")
    await studio.accounts.add("sam", team="acme", password=None, email="sam@acme.example")
    yield studio
    await studio.close()


async def test_unknown_and_known_users_cost_the_same_hash(
    accounts_studio: Studio, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    hashes = Hashes()
    monkeypatch.setattr(people, "_hasher", hashes)
    caplog.set_level(logging.WARNING)
    logins = ["alice", "nobody", "nobody@acme.example", "sam", "al ice", "ali\x00ce", "a\x00@acme.example", "x" * 999]
    results = [await accounts_studio.accounts.sign_in(login, "wrong-password") for login in logins]
    assert results == [None] * len(logins)  # a NUL is no user, on PostgreSQL too (it refuses NUL in a query)
    assert len(hashes.threads) == len(logins)  # one password check each, user or not
    assert (await accounts_studio.accounts.sign_in("ALICE@acme.example", "alice-password")).name == "alice"
    assert not caplog.records


async def test_passwords_are_checked_off_the_event_loop_one_at_a_time(
    accounts_studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    loop_free = threading.Event()
    hashes = Hashes(hold=loop_free)
    monkeypatch.setattr(people, "_hasher", hashes)
    signing_in = asyncio.gather(*(accounts_studio.accounts.sign_in("alice", "alice-password") for _ in range(3)))
    while not hashes.threads:
        await asyncio.sleep(0.01)
    loop_free.set()  # only reached while a check is running if the check is not on this loop
    assert [a.name for a in await signing_in] == ["alice"] * 3
    assert hashes.released == [True] * 3
    assert threading.get_ident() not in hashes.threads
    assert hashes.most == 1  # sign_in_hashes: each check holds about 64 MB and a core


def test_passwords_with_control_characters_are_refused() -> None:
    with pytest.raises(InvalidRequest, match="control characters"):
        people.hash_password("tab\there-password")


def test_production_hashes_passwords_with_argon2id_at_its_full_cost() -> None:
    """The tests' own processes hash at the cheapest cost (tests/conftest.py); the product keeps pwdlib's."""
    (hasher,) = PRODUCTION_HASHER.hashers
    assert isinstance(hasher, Argon2Hasher)
    argon2 = hasher._hasher  # argon2-cffi's PasswordHasher, which pwdlib names privately
    assert (argon2.type, argon2.time_cost, argon2.memory_cost, argon2.parallelism) == (Type.ID, 3, 65536, 4)
