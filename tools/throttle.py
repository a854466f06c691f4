"""How many wrong passwords sign-in takes before it asks to wait: three leaky buckets, kept in this process.

Each failure pours one unit into three buckets, and each bucket leaks one unit every so many seconds:

- one account from one address (5 at once, then one a minute by default): a person mistyping their password
  waits a minute, not an hour, and a guesser on one address gets one guess a minute at that account;
- one address across accounts (20, then one every 30 s): the same guesser trying many names;
- one account from everywhere (50, then one every 20 s): many addresses guessing one password. It leaks faster
  than one address may pour (the settings refuse otherwise) and holds more than one address's burst, so a
  guesser on one address never fills it: the account's owner, elsewhere, still signs in, and whoever is
  asked to wait gets in once the wait is over.

An attempt is charged before its password is checked (so parallel requests cannot all slip past the check)
and refunded when it succeeds (a success also empties its account-and-address bucket). A refused attempt
costs nothing, so asking again while refused does not lengthen the wait. The buckets live in this process:
several instances each count their own attempts.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from campaign.settings import Settings

LOGIN_KEY_CHARS = 254  # no name or email is longer: longer logins share one bucket instead of growing the table


@dataclass
class Buckets:
    """Leaky buckets of `size` units, each leaking one unit every `every_s` seconds, stored as the moment each
    would be empty (one float a key; empty buckets are dropped)."""

    size: int
    every_s: float
    empty_at: dict[object, float] = field(default_factory=dict)
    _sweep_at: int = 1024

    def wait(self, key: object, now: float) -> float:
        """Seconds until the bucket has room for one more unit (0: it has room now)."""
        return max(0.0, self.empty_at.get(key, now) - now - (self.size - 1) * self.every_s)

    def pour(self, key: object, now: float) -> None:
        self.empty_at[key] = max(self.empty_at.get(key, now), now) + self.every_s
        if len(self.empty_at) > self._sweep_at:  # forget empty buckets now and then, so the table stays small
            self.empty_at = {k: t for k, t in self.empty_at.items() if t > now}
            self._sweep_at = max(1024, 2 * len(self.empty_at))

    def take_back(self, key: object, now: float) -> None:
        if (at := self.empty_at.get(key)) is not None:
            if at - self.every_s > now:
                self.empty_at[key] = at - self.every_s
            else:
                del self.empty_at[key]

    def empty(self, key: object) -> None:
        self.empty_at.pop(key, None)


class SignInThrottle:
    """The three buckets of the module's docstring, with the clock injectable for tests."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.pair = Buckets(settings.sign_in_pair_failures, settings.sign_in_pair_every_s)
        self.address = Buckets(settings.sign_in_address_failures, settings.sign_in_address_every_s)
        self.account = Buckets(settings.sign_in_account_failures, settings.sign_in_account_every_s)

    def attempt(self, login: str, address: str) -> int:
        """Charge an attempt at `login` from `address`; or, while one of its buckets is full, charge nothing and
        say how many seconds to wait (0: go ahead)."""
        now, account, client = self.clock(), _account(login), _client(address)
        wait = max(self.pair.wait((account, client), now), self.address.wait(client, now),
                   self.account.wait(account, now))  # fmt: skip
        if wait > 0:
            return max(1, math.ceil(wait))
        self.pair.pour((account, client), now)
        self.address.pour(client, now)
        self.account.pour(account, now)
        return 0

    def succeeded(self, login: str, address: str) -> None:
        """The attempt let its user in: refund it, and forget this address's earlier misses at this account."""
        now, account, client = self.clock(), _account(login), _client(address)
        self.pair.empty((account, client))
        self.address.take_back(client, now)
        self.account.take_back(account, now)


def _account(login: str) -> str:
    return login.strip().lower()[:LOGIN_KEY_CHARS]


def _client(address: str) -> str:
    """The client's address; an IPv6 address stands for its /64, which one subscriber usually holds whole."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(getattr(ip, "ipv4_mapped", None) or ip)
