"""The one settings object: read from the environment and `.env`, passed down to everything else."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
# The project's folder when the code runs from a checkout (make run, or its .venv's `clapboard`); None when the
# package is installed.
_ABOVE = Path(__file__).resolve().parent.parent
CHECKOUT: Path | None = _ABOVE if (_ABOVE / "pyproject.toml").is_file() else None


def data_home() -> Path:
    """The data folder unless CLAPBOARD_DATA_DIR names one, the same from whatever folder a command runs: the
    checkout's ./data when the code runs from a checkout, else the user's data folder ($XDG_DATA_HOME/clapboard,
    ~/.local/share/clapboard)."""
    if CHECKOUT is not None:
        return CHECKOUT / "data"
    xdg = Path(os.environ.get("XDG_DATA_HOME") or "~/.local/share").expanduser()
    return (xdg if xdg.is_absolute() else Path.home() / ".local" / "share") / "clapboard"


# `.env` files, the later winning: the checkout's, read from any folder, then the current folder's.
ENV_FILES = (*([CHECKOUT / ".env"] if CHECKOUT else []), Path(".env"))


class Settings(BaseSettings):
    """Clapboard's configuration. Our own names take the `CLAPBOARD_` prefix; third-party names keep theirs."""

    model_config = SettingsConfigDict(
        env_prefix="CLAPBOARD_", env_file=ENV_FILES, extra="ignore", populate_by_name=True
    )

    data_dir: Path = Field(
        default_factory=data_home,
        description="The database (without DATABASE_URL), files and the generated secret: the checkout's ./data, "
        "or the user's data folder for an installed package.",
    )
    secret_key: SecretStr | None = Field(
        default=None,
        min_length=32,
        description="Signs file URLs and API tokens; generated into the data folder when unset.",
    )

    database_url: str | None = Field(default=None, validation_alias=AliasChoices("DATABASE_URL"), repr=False)

    replicate_api_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("REPLICATE_API_TOKEN", "REPLICATE_API_KEY")
    )
    replicate_base_url: str | None = Field(default=None, validation_alias=AliasChoices("REPLICATE_BASE_URL"))

    openai_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(default=None, validation_alias=AliasChoices("OPENAI_BASE_URL"))
    poe_api_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("POE_API_KEY"))
    poe_base_url: str = "https://api.poe.com/v1"
    llm_model: str = "gpt-4o"

    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None
    s3_region: str | None = None
    s3_timeout_s: float = Field(
        default=20.0,
        gt=0,
        le=600,
        description="How long one S3 request may wait for the server (each of its 3 attempts), so a storage "
        "that hangs fails the job in about a minute instead of holding it.",
    )
    r2_account_id: str | None = Field(default=None, validation_alias=AliasChoices("R2_ACCOUNT_ID"))
    r2_access_key_id: str | None = Field(default=None, validation_alias=AliasChoices("R2_ACCESS_KEY_ID"))
    r2_secret_access_key: SecretStr | None = Field(default=None, validation_alias=AliasChoices("R2_SECRET_ACCESS_KEY"))
    r2_bucket_name: str | None = Field(default=None, validation_alias=AliasChoices("R2_BUCKET_NAME"))
    url_expiry_s: int = Field(default=24 * 3600, ge=60, le=7 * 24 * 3600)

    reference_max_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    reference_max_pixels: int = Field(
        default=24_000_000,
        ge=10_000,
        description="Pixels a reference image may have: a decoded frame takes 4 bytes a pixel, so 24 million keep "
        "one decode within about 100 MB.",
    )
    reference_decodes: int = Field(
        default=2, ge=1, le=16, description="Reference images decoded at once; more uploads wait their turn."
    )
    reference_fit: Literal["pad", "crop"] = Field(
        default="pad", description="How a reference becomes a first frame of another aspect."
    )
    chat_upload_max_files: int = Field(default=40, ge=1, description="Files one chat session may attach.")
    chat_upload_max_bytes: int = Field(
        default=200 * 1024 * 1024, ge=1024, description="Bytes one chat session may attach, all files together."
    )
    url_fetch_timeout_s: float = Field(default=20.0, gt=0)
    url_allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Private hosts that reference URLs may point to, each with its port (images.local:8123); a "
        "host alone allows only links without a port.",
    )

    replicate_cancel_after: str = Field(
        default="30m",
        pattern=r"^(\d+|(\d+h)?(\d+m)?(\d+s)?)$",
        min_length=1,
        description="Server-side cost cap per prediction, as Replicate's Cancel-After header: 30m, 1h30m, 90s.",
    )
    replicate_deadline_s: float = Field(default=1800.0, gt=0)
    replicate_poll_s: float = Field(default=3.0, gt=0)
    replicate_polls_per_s: float = Field(
        default=10.0, gt=0, description="Polls a second at most, across every prediction this process follows."
    )

    default_model: str | None = Field(
        default=None, description="Model used when a request names none; draft without a Replicate token."
    )
    draft_resolution: Literal["480p", "720p", "1080p"] = Field(
        default="720p",
        description="The draft's resolution when a request names none: 480p renders in about half the CPU time, "
        "for quick looks on a small server.",
    )
    max_concurrent_jobs: int = Field(default=2, ge=1, le=64)
    embedded_worker: bool = Field(
        default=True, description="On PostgreSQL, a server also runs jobs; false for instances that only serve."
    )
    job_lease_s: float = Field(
        default=30.0,
        ge=1.0,
        description="How long a runner holds a job without renewing it; a dead runner's jobs move on after it.",
    )
    startup_timeout_s: float = Field(
        default=60.0,
        gt=0,
        description="How long a server may take to open the database and set up its tables before it gives up "
        "with a message (servers starting together set up one at a time).",
    )
    public_url: str = Field(
        default="",
        description="Base URL this server is reached at: links the CLI prints, and Replicate's webhooks when set.",
    )

    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Names this server answers to besides the loopback ones, CLAPBOARD_PUBLIC_URL's host and the "
        "address it listens on (comma-separated: chat.acme.example,10.0.0.5); other Host headers are refused, "
        "which ends DNS rebinding. `*` answers to any name (only behind a proxy that checks it).",
    )

    auth_header: str | None = Field(
        default=None,
        description="A trusted SSO proxy's header naming the signed-in user by email (X-Forwarded-Email); only "
        "set it when every request comes through that proxy.",
    )
    oauth_team_domains: dict[str, str] = Field(
        default_factory=dict,
        description='Email domains whose OAuth sign-ins become members of a team: {"acme.com": "acme"}.',
    )
    sign_in_pair_failures: int = Field(
        default=5, ge=1, description="Wrong passwords one address may try at one account before it has to wait."
    )
    sign_in_pair_every_s: float = Field(
        default=60.0, gt=0, description="...then one more every so many seconds (the wait shrinks as time passes)."
    )
    sign_in_address_failures: int = Field(
        default=20, ge=1, description="Wrong passwords one address may try across all accounts before it waits."
    )
    sign_in_address_every_s: float = Field(default=30.0, gt=0, description="...then one more every so many seconds.")
    sign_in_account_failures: int = Field(
        default=50, ge=2, description="Wrong passwords one account may take from all addresses before it waits."
    )
    sign_in_account_every_s: float = Field(default=20.0, gt=0, description="...then one more every so many seconds.")
    sign_in_hashes: int = Field(
        default=1,
        ge=1,
        le=16,
        description="Passwords checked at once (each takes about 64 MB and a core for a tenth of a second); more "
        "sign-ins wait their turn.",
    )
    user: str | None = Field(default=None, description="Who the CLI acts as, once users exist (or --as NAME).")

    c2pa_cert: Path | None = Field(
        default=None,
        description="The certificate chain (PEM, the signing certificate first) every exported file's content "
        "credentials are signed with; with none, a local certificate is made in the data folder at first use, "
        "which viewers do not trust.",
    )
    c2pa_key: Path | None = Field(default=None, description="CLAPBOARD_C2PA_CERT's private key (unencrypted PEM).")
    c2pa_timestamp_url: str | None = Field(
        default=None,
        description="A timestamp authority (RFC 3161) that dates each signature, so it keeps holding after the "
        "certificate expires (without one, signed files stop verifying then); signing then needs to reach it.",
    )
    c2pa_trust_anchors: Path | None = Field(
        default=None,
        description="Root certificates (PEM) whose signers `clapboard verify` reports as trusted, such as the C2PA "
        "trust list; with none, no signer is.",
    )

    _secret: bytes | None = PrivateAttr(default=None)

    @model_validator(mode="before")
    @classmethod
    def _blank_is_unset(cls, data: Any) -> Any:
        """`NAME=` in .env (as in .env.example) means "not set", not an empty value."""
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if v != ""}
        return data

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _host_list(cls, value: Any) -> Any:
        """A comma-separated or JSON list, as the environment gives it."""
        if isinstance(value, str):
            value = json.loads(value) if value.lstrip().startswith("[") else value.split(",")
        return [str(h).strip().lower().rstrip(".") for h in value if str(h).strip()]

    @property
    def served_hosts(self) -> set[str]:
        """The names the server answers to (Host headers it accepts)."""
        public = urlsplit(self.public_url).hostname
        return {*LOOPBACK_HOSTS, *self.allowed_hosts, *([public] if public else [])}

    @model_validator(mode="after")
    def _one_address_cannot_lock_an_account(self) -> Settings:
        """The account's limit must hold more than one address's burst and leak at least as fast as one address
        may guess; otherwise a guesser on one address could keep the account's owner out for good."""
        if not (
            self.sign_in_account_failures > self.sign_in_pair_failures
            and self.sign_in_account_every_s <= self.sign_in_pair_every_s
        ):
            raise ValueError(
                "sign_in_account_failures must be more than sign_in_pair_failures, and sign_in_account_every_s at "
                "most sign_in_pair_every_s: else one address could keep an account locked."
            )
        return self

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        for name in ("c2pa_cert", "c2pa_key", "c2pa_trust_anchors"):
            if (path := getattr(self, name)) is not None:
                setattr(self, name, path.expanduser())
        return self

    @model_validator(mode="after")
    def _c2pa_pair(self) -> Settings:
        """A certificate signs only with its own key: both are set, or neither."""
        if (self.c2pa_cert is None) != (self.c2pa_key is None):
            raise ValueError("CLAPBOARD_C2PA_CERT and CLAPBOARD_C2PA_KEY go together: set both, or neither.")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        """The async SQLAlchemy URL: `DATABASE_URL` made async, or SQLite in the data folder."""
        url = self.database_url
        if not url:
            return f"sqlite+aiosqlite:///{self.data_dir / 'clapboard.db'}"
        for plain, async_ in (
            ("postgres://", "postgresql+asyncpg://"),
            ("postgresql://", "postgresql+asyncpg://"),
            ("sqlite://", "sqlite+aiosqlite://"),
        ):
            if url.startswith(plain):
                return async_ + url[len(plain) :]
        return url

    @property
    def postgres_conninfo(self) -> str | None:
        """`DATABASE_URL` as libpq takes it (for the job queue), or None when the database is not PostgreSQL."""
        url = self.sqlalchemy_url
        if not url.startswith("postgresql"):
            return None
        return "postgresql://" + url.split("://", 1)[1]

    @property
    def llm_key(self) -> SecretStr | None:
        """The key for the chat model: OpenAI's (or any compatible endpoint's), else Poe's."""
        return self.openai_api_key or self.poe_api_key

    @property
    def llm_base_url(self) -> str | None:
        if self.openai_api_key:
            return self.openai_base_url
        return self.poe_base_url if self.poe_api_key else None

    def signing_key(self, purpose: str) -> bytes:
        """A key for one purpose ("tokens", "files"), derived from the secret; the secret is created once in the
        data folder when not configured."""
        if self._secret is None:
            self._secret = self.secret_key.get_secret_value().encode() if self.secret_key else self._stored_secret()
        return hmac.new(self._secret, purpose.encode(), hashlib.sha256).digest()

    @property
    def chat_session_secret(self) -> str:
        """Signs the chat's session cookies (Chainlit's CHAINLIT_AUTH_SECRET, unless that is given): derived from
        our secret, so every instance sharing it accepts every session."""
        return self.signing_key("chat-sessions").hex()

    def _stored_secret(self) -> bytes:
        path = self.data_dir / ".secret_key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:  # exclusive and private from the start: two processes starting together agree on one secret
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            return path.read_text().strip().encode()
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()
