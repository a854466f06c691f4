"""Tables: teams and their users, Campaign, Creative, Job, brand kits, batches, budgets and the spend ledger, review
links with their comments and decisions, and the webhook deliveries already handled (SQLAlchemy 2 declarative)."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from campaign.status import ACTIVE as ACTIVE
from campaign.status import JobStatus as JobStatus


def new_id() -> str:
    return uuid.uuid4().hex


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite returns naive ones otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON, list[str]: JSON}


DEFAULT_TEAM_ID = "default"  # the team of the local owner, and of everything made before teams existed


class Role(StrEnum):
    admin = "admin"
    member = "member"


class Team(Base):
    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # lower case
    exports_need_approval: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class User(Base):
    """A person who signs in. Removed users keep their row (`removed_at`), so the audit still names them; their
    name and email become free again. Tokens carry `credentials`, so a new password revokes the old tokens."""

    __tablename__ = "accounts"  # Chainlit's history layer owns the table called "users"
    __table_args__ = (
        Index(
            "uq_accounts_name_live",
            "name",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),  # fmt: skip
        Index(
            "uq_accounts_email_live",
            "email",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),  # fmt: skip
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(64))  # lower case
    email: Mapped[str | None] = mapped_column(String(254))  # lower case
    password_hash: Mapped[str | None] = mapped_column(String(200))  # None: signs in by SSO or OAuth only
    role: Mapped[str] = mapped_column(String(8), default=Role.member)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    credentials: Mapped[int] = mapped_column(Integer, default=0)  # bumped on each password change
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column()


def name_key(name: str) -> str:
    """A campaign name as lookups compare it, folded in Python: the databases' lower() differ (SQLite's folds
    ASCII only), and "Été", "ÉTÉ" and a decomposed "E\u0301te\u0301" are one name."""
    return unicodedata.normalize("NFKC", name).casefold()


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (UniqueConstraint("team_id", "name_key", name="uq_campaigns_team_name_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True, default=DEFAULT_TEAM_ID)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(
        String(800), default=lambda ctx: name_key(ctx.get_current_parameters()["name"])
    )  # case folding can lengthen a name ("ß" is "ss")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TeamReference(Base):
    """A reference image a team took in: the key is content-addressed, so the grant is what makes it theirs."""

    __tablename__ = "team_references"

    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobKind(StrEnum):
    video = "video"  # makes a creative
    export = "export"  # exports a creative to placements (`Export`)


class Job(Base):
    """One generation request, from submission to its creative or its failure.

    A queued or running job is held by one runner (`runner`) until `lease_until`; the runner renews the lease
    while it lives, so another runner takes the job over only once the lease has run out.
    """

    __tablename__ = "jobs"
    __table_args__ = (UniqueConstraint("origin", "idempotency_key", name="uq_jobs_origin_idempotency_key"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    status: Mapped[str] = mapped_column(String(24), index=True)  # a JobStatus
    spec: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the checked request: tools.jobs.JobSpec
    model: Mapped[str] = mapped_column(String(64))  # the model asked for
    model_used: Mapped[str | None] = mapped_column(String(64))  # the model that made the video
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str | None] = mapped_column(String(32))  # the stage that failed
    error: Mapped[str | None] = mapped_column(Text)  # what the user reads
    notice: Mapped[str | None] = mapped_column(Text)  # fallbacks and other things the user should know
    origin: Mapped[str] = mapped_column(String(80), default="")  # "chat:<thread id>", "cli", "api:<user id>"
    submitted_by: Mapped[str | None] = mapped_column(String(32))  # user ids ("local": the local owner)
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    canceled_by: Mapped[str | None] = mapped_column(String(80))
    creative_id: Mapped[str | None] = mapped_column(String(32))
    delivered: Mapped[bool] = mapped_column(default=False)  # shown in a live chat
    runner: Mapped[str | None] = mapped_column(String(64))  # the runner holding the job
    lease_until: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # times a runner started it
    provider_job_id: Mapped[str | None] = mapped_column(String(120))  # the prediction to re-attach to
    provider_model: Mapped[str | None] = mapped_column(String(64))  # the model that prediction runs
    voice_prediction_id: Mapped[str | None] = mapped_column(String(120))  # a premium voice's prediction
    batch_id: Mapped[str | None] = mapped_column(String(32), index=True)  # the batch that made it (`Batch`)
    kind: Mapped[str] = mapped_column(String(8), default=JobKind.video, server_default=JobKind.video)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))  # the submitted body under that key
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Export(Base):
    """What an export job delivered: one file per placement with its checks, the zip and manifest.json."""

    __tablename__ = "exports"

    id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)  # the job that makes it
    creative_id: Mapped[str] = mapped_column(String(32), index=True)
    placements: Mapped[list[str]] = mapped_column()  # their keys, in the order asked
    trim: Mapped[bool] = mapped_column()  # each file trimmed to its placement's longest length
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # tools.views.StoredFile
    zip_key: Mapped[str | None] = mapped_column(String(300))
    manifest_key: Mapped[str | None] = mapped_column(String(300))
    provenance: Mapped[dict[str, Any] | None] = mapped_column()  # tools.delivery.credentials.Provenance
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Creative(Base):
    """A finished video on a campaign's list of creatives."""

    __tablename__ = "creatives"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    job_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # one creative per job, whatever races
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text)  # as the user gave it
    prompt_sent: Mapped[str] = mapped_column(Text)  # as sent to the model
    model: Mapped[str] = mapped_column(String(64))
    template: Mapped[str | None] = mapped_column(String(64))
    duration_s: Mapped[float] = mapped_column(Float)
    aspect: Mapped[str] = mapped_column(String(8))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    fps: Mapped[float] = mapped_column(Float)
    bytes: Mapped[int] = mapped_column(BigInteger)
    file_key: Mapped[str] = mapped_column(String(300))
    poster_key: Mapped[str | None] = mapped_column(String(300))
    footage_key: Mapped[str | None] = mapped_column(String(300))  # a paid model's raw footage (none for drafts)
    reference_keys: Mapped[list[str]] = mapped_column(default=list)
    copy: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the words on screen: tools.brief.AdCopy
    set_id: Mapped[str | None] = mapped_column(String(32), index=True)  # variations and formats made together
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    actual_cost_usd: Mapped[float | None] = mapped_column(Float)
    provider_job_id: Mapped[str | None] = mapped_column(String(120))
    predict_time_s: Mapped[float | None] = mapped_column(Float)
    notice: Mapped[str | None] = mapped_column(Text)
    made_by: Mapped[str | None] = mapped_column(String(32))  # the job's submitter and confirmer (user ids)
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    brand_version: Mapped[dict[str, Any] | None] = mapped_column()  # the kit versions it followed: BrandVersion
    sound: Mapped[dict[str, Any] | None] = mapped_column()  # voice, captions, music, loudness: CreativeSound
    review_status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")  # ReviewStatus
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class BrandKitVersion(Base):
    """One version of a team's brand kit (no campaign) or of a campaign's. An edit writes the next version and
    never changes an old one, so a creative's `brand_version` always names what it followed. Versions are unique
    per team kit and per campaign kit: two partial indexes, since NULL campaign ids never collide in a plain
    unique constraint (on SQLite or PostgreSQL)."""

    __tablename__ = "brand_kits"
    __table_args__ = (
        Index(
            "uq_brand_kits_team_version",
            "team_id",
            "version",
            unique=True,
            sqlite_where=text("campaign_id IS NULL"),
            postgresql_where=text("campaign_id IS NULL"),
        ),  # fmt: skip
        Index(
            "uq_brand_kits_campaign_version",
            "team_id",
            "campaign_id",
            "version",
            unique=True,
            sqlite_where=text("campaign_id IS NOT NULL"),
            postgresql_where=text("campaign_id IS NOT NULL"),
        ),  # fmt: skip
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    campaign_id: Mapped[str | None] = mapped_column(ForeignKey("campaigns.id"))  # None: the team's kit
    version: Mapped[int] = mapped_column(Integer)
    kit: Mapped[dict[str, Any]] = mapped_column()  # tools.brand.BrandKit
    created_by: Mapped[str | None] = mapped_column(String(32))  # a user id ("local": the local owner)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class BatchStatus(StrEnum):
    quoted = "quoted"  # checked and priced, waiting for its one confirmation
    started = "started"  # confirmed: its jobs were written (running or done: their statuses say)
    canceled = "canceled"  # withdrawn before it started, or stopped (jobs done by then stay)


class Batch(Base):
    """A feed of products made into one video per row (or one per format asked), quoted first and confirmed
    once; its rows are `BatchRow`s, its jobs carry its id, its creatives share its `set_id`."""

    __tablename__ = "batches"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"), index=True)
    set_id: Mapped[str] = mapped_column(String(32), default=new_id)  # the library set its videos land in
    status: Mapped[str] = mapped_column(String(12), default=BatchStatus.quoted)  # a BatchStatus
    source: Mapped[str] = mapped_column(String(200))  # the file's name ("rows" for rows sent as JSON)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)  # tools.batches.BatchOptions
    estimated_cost_usd: Mapped[float] = mapped_column(Float, default=0.0)  # of every video it makes
    origin: Mapped[str] = mapped_column(String(80), default="")  # as a job's: "chat:<thread id>", "cli", "api:<id>"
    created_by: Mapped[str | None] = mapped_column(String(32))  # user ids
    confirmed_by: Mapped[str | None] = mapped_column(String(32))
    canceled_by: Mapped[str | None] = mapped_column(String(32))
    delivered: Mapped[bool] = mapped_column(default=False)  # its end shown in a live chat
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class BatchRow(Base):
    """One row of a batch's feed: what it says and shows, why it cannot be made (`problem`), or the checked
    request of each video it makes (`items`: tools.batches.Item, with its job's id once confirmed)."""

    __tablename__ = "batch_rows"

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.id"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)  # the row as the file numbers it
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)  # tools.batches.FeedRow
    problem: Mapped[str | None] = mapped_column(Text)  # why the row cannot be made: nothing is made of it
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Budget(Base):
    """A monthly spending limit, in USD, of a team (`user_id` None) or of one of its users."""

    __tablename__ = "budgets"
    __table_args__ = (
        Index(
            "uq_budgets_team",
            "team_id",
            unique=True,
            sqlite_where=text("user_id IS NULL"),
            postgresql_where=text("user_id IS NULL"),
        ),  # fmt: skip
        Index(
            "uq_budgets_user",
            "team_id",
            "user_id",
            unique=True,
            sqlite_where=text("user_id IS NOT NULL"),
            postgresql_where=text("user_id IS NOT NULL"),
        ),  # fmt: skip
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(32))  # None: the team's own budget
    monthly_usd: Mapped[float] = mapped_column(Float)
    set_by: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Spend(Base):
    """The ledger: one line per paid job, written when its price is confirmed (reserving the estimate in the month
    it was confirmed) and settled at its actual cost once it ends."""

    __tablename__ = "spend"

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)  # one line per job: a re-confirm updates it
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(32), index=True)  # who asked for it ("local": the owner)
    batch_id: Mapped[str | None] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7), index=True)  # "2026-12", UTC
    estimated_usd: Mapped[float] = mapped_column(Float)
    actual_usd: Mapped[float | None] = mapped_column(Float)  # None until settled
    settled_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReviewStatus(StrEnum):
    draft = "draft"  # never shared for review, or every link to it revoked before a decision
    in_review = "in review"  # shared and waiting for a decision (a link that expired leaves it so: share it again)
    approved = "approved"  # the latest decision on it
    changes_requested = "changes requested"


class ReviewLink(Base):
    """A link a reviewer opens without an account (`/review/<token>`): one creative, or the set it is in as it was
    when the link was made (`ReviewLinkCreative`). The token is the link's id signed with the server's secret, so
    it is never stored; the link lives until `expires_at` or until it is revoked."""

    __tablename__ = "review_links"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaigns.id"))
    creative_id: Mapped[str] = mapped_column(String(32), index=True)  # the creative it was made from
    whole_set: Mapped[bool] = mapped_column(default=False)  # it shows that creative's set, not that one alone
    label: Mapped[str] = mapped_column(String(80), default="")  # who it is for, as the team names it ("client")
    created_by: Mapped[str | None] = mapped_column(String(32))  # a user id ("local": the local owner)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by: Mapped[str | None] = mapped_column(String(32))


class ReviewLinkCreative(Base):
    """A creative a review link shows."""

    __tablename__ = "review_link_creatives"

    link_id: Mapped[str] = mapped_column(ForeignKey("review_links.id"), primary_key=True)
    creative_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class ReviewNoteKind(StrEnum):
    comment = "comment"
    approved = "approved"
    changes_requested = "changes requested"


class ReviewNote(Base):
    """A comment on a creative, or a decision on it, left through a review link: who (the name the reviewer typed,
    and the link), when, and where in the video (`at_s`, comments)."""

    __tablename__ = "review_notes"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    team_id: Mapped[str] = mapped_column(ForeignKey("teams.id"), index=True)
    creative_id: Mapped[str] = mapped_column(String(32), index=True)
    link_id: Mapped[str] = mapped_column(ForeignKey("review_links.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # a ReviewNoteKind
    name: Mapped[str] = mapped_column(String(80))  # as the reviewer typed it
    text: Mapped[str] = mapped_column(Text, default="")  # the comment, or the decision's note
    at_s: Mapped[float | None] = mapped_column(Float)  # where in the video a comment was left
    delivered: Mapped[bool] = mapped_column(default=False)  # shown in the conversation that made the video
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class WebhookDelivery(Base):
    """A provider webhook already handled, by its id: a replay is recognised and ignored."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    job_id: Mapped[str | None] = mapped_column(String(32))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
