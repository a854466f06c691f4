"""The sign-in throttle on a clock of our own: a guesser waits, the person who mistyped gets in after the wait,
and a guesser on one address never keeps an account's owner out."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from tests.conftest import make_settings
from tools.throttle import SignInThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_locked_out_user_signs_in_after_the_wait(tmp_path: Path) -> None:
    clock = Clock()
    throttle = SignInThrottle(make_settings(tmp_path), clock)  # 5 misses, then one a minute
    assert [throttle.attempt("Alice", "198.51.100.7") for _ in range(5)] == [0] * 5
    wait = throttle.attempt("alice", "198.51.100.7")
    assert wait == 60
    assert throttle.attempt("alice", "198.51.100.7") == 60  # asking again does not lengthen the wait
    clock.now += wait
    assert throttle.attempt("alice", "198.51.100.7") == 0  # the password was right this time
    throttle.succeeded("alice", "198.51.100.7")
    assert [throttle.attempt("alice", "198.51.100.7") for _ in range(5)] == [0] * 5  # the misses are forgotten


def test_a_guesser_on_one_address_never_locks_the_owner_out(tmp_path: Path) -> None:
    clock = Clock()
    throttle = SignInThrottle(make_settings(tmp_path), clock)
    refused_owner, guesses = 0, 0
    for second in range(6 * 3600):  # six hours of a guess a second, round the clock
        clock.now += 1
        guesses += throttle.attempt("alice", "203.0.113.9") == 0
        if second % 300 == 0:  # the owner, at the office, signs in every five minutes
            refused_owner += throttle.attempt("alice", "198.51.100.7") != 0
            throttle.succeeded("alice", "198.51.100.7")
    assert refused_owner == 0
    assert guesses <= 5 + 6 * 60  # the burst, then one a minute


def test_one_address_is_throttled_across_accounts_and_many_addresses_at_one_account(tmp_path: Path) -> None:
    clock = Clock()
    throttle = SignInThrottle(make_settings(tmp_path), clock)
    sprayed = [throttle.attempt(f"user{n}", "203.0.113.9") for n in range(21)]
    assert sprayed == [0] * 20 + [30]  # 20 names, then one every 30 s
    assert throttle.attempt("user0", "2001:db8::1") == 0
    assert throttle.attempt("user0", "2001:db8::2") == 0  # the same /64: the same client
    assert [throttle.attempt("user0", "2001:db8::3") for _ in range(4)] == [0, 0, 0, 60]

    many = [throttle.attempt("bob", f"192.0.2.{n}") for n in range(60)]  # a botnet, at one account
    assert many == [0] * 50 + [20] * 10
    clock.now += 50 * 20
    assert throttle.attempt("bob", "198.51.100.7") == 0  # it ends when the guessing stops


def test_settings_that_would_let_one_address_lock_an_account_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="keep an account locked"):
        make_settings(tmp_path, sign_in_pair_failures=10, sign_in_account_failures=10)
    with pytest.raises(ValidationError, match="keep an account locked"):
        make_settings(tmp_path, sign_in_pair_every_s=10, sign_in_account_every_s=20)
