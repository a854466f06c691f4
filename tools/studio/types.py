"""The public types of the facade: what its calls take and return, the errors they raise, and the limits the
front ends' own schemas repeat. Front ends import these from here, never from the modules that define them."""

from campaign.errors import (
    ClapboardError,
    Conflict,
    Forbidden,
    InvalidRequest,
    LinkGone,
    NotFound,
    OverBudget,
    SignInRequired,
    StorageFailed,
    TooLarge,
    TooMany,
)
from campaign.ledger import dollars, month_name
from campaign.people import CONTROL, Actor
from campaign.text import ReferenceSource, StorableText, Words
from tools.batches import MAX_FEED_BYTES, MAX_ROWS, BatchOptions
from tools.batches.views import BatchProgress, BatchRowView, BatchVideo, BatchView
from tools.brand import MAX_COLORS, BrandKit, BrandVersion, Color, Font
from tools.brand.colours import COLOUR, colour_hex
from tools.brand.files import FONT_MAX_BYTES as BRAND_FONT_MAX_BYTES
from tools.brand.kit import Role
from tools.brief import FIELD_NAMES, FIELDS, MAX_PROMPT_CHARS, TITLE_CHARS, AdCopy, Brief, Checked
from tools.brief.variations import ASKS as VARIATION_ASKS
from tools.brief.variations import read_ask, untitled
from tools.catalog import ModelSpec, ModelView, usd_text
from tools.channels import CHANNEL_FORMATS
from tools.delivery.placements import Placement
from tools.delivery.report import Check, Fix, Provenance
from tools.engines.base import PROVIDER_ANSWERED, WebhookRejected
from tools.jobs.events import JobEvent
from tools.jobs.spec import IDEMPOTENCY_KEY_CHARS, Submitted, VideoRequest
from tools.reviews import DEFAULT_DAYS as REVIEW_DEFAULT_DAYS
from tools.reviews import KIND_WORDS as REVIEW_KIND_WORDS
from tools.reviews import LABEL_CHARS as REVIEW_LABEL_CHARS
from tools.reviews import MAX_DAYS as REVIEW_MAX_DAYS
from tools.reviews import NAME_CHARS as REVIEW_NAME_CHARS
from tools.reviews import TEXT_CHARS as REVIEW_TEXT_CHARS
from tools.reviews import CreativeReview, ReviewItem, ReviewLinkView, ReviewNoteView, ReviewPage
from tools.sound.speech import CreativeSound, SoundSpec, VoiceScript
from tools.studio.accounts import UserView
from tools.studio.brand import BrandChanges, BrandView, FileUpload, KitVersionView
from tools.studio.budgets import BudgetsView, BudgetView, SpendLine, SpendReport
from tools.studio.jobs import MAX_VARIATIONS, PaidFormats
from tools.studio.models import VoiceView
from tools.studio.reviews import Decision
from tools.studio.status import ACTIVE, JobStatus
from tools.views import CampaignView, CreativeView, ExportFile, ExportView, JobView, LibraryView, MonthSpend

__all__ = [
    "ACTIVE",
    "BRAND_FONT_MAX_BYTES",
    "CHANNEL_FORMATS",
    "MAX_FEED_BYTES",
    "MAX_ROWS",
    "BatchOptions",
    "BatchProgress",
    "BatchRowView",
    "BatchVideo",
    "BatchView",
    "OverBudget",
    "BudgetView",
    "BudgetsView",
    "MonthSpend",
    "SpendLine",
    "SpendReport",
    "COLOUR",
    "CONTROL",
    "FIELDS",
    "FIELD_NAMES",
    "IDEMPOTENCY_KEY_CHARS",
    "MAX_COLORS",
    "MAX_PROMPT_CHARS",
    "MAX_VARIATIONS",
    "PROVIDER_ANSWERED",
    "TITLE_CHARS",
    "VARIATION_ASKS",
    "Actor",
    "AdCopy",
    "BrandChanges",
    "BrandKit",
    "BrandVersion",
    "BrandView",
    "Brief",
    "CampaignView",
    "Check",
    "Checked",
    "ClapboardError",
    "Color",
    "Conflict",
    "CreativeView",
    "ExportFile",
    "ExportView",
    "FileUpload",
    "Fix",
    "Font",
    "Forbidden",
    "InvalidRequest",
    "JobEvent",
    "JobStatus",
    "JobView",
    "KitVersionView",
    "LibraryView",
    "ModelSpec",
    "ModelView",
    "NotFound",
    "PaidFormats",
    "Placement",
    "Provenance",
    "ReferenceSource",
    "Role",
    "SignInRequired",
    "StorableText",
    "StorageFailed",
    "Submitted",
    "TooLarge",
    "TooMany",
    "LinkGone",
    "REVIEW_DEFAULT_DAYS",
    "REVIEW_LABEL_CHARS",
    "REVIEW_MAX_DAYS",
    "REVIEW_NAME_CHARS",
    "REVIEW_TEXT_CHARS",
    "ReviewItem",
    "CreativeReview",
    "REVIEW_KIND_WORDS",
    "ReviewLinkView",
    "ReviewNoteView",
    "ReviewPage",
    "Decision",
    "UserView",
    "VideoRequest",
    "WebhookRejected",
    "Words",
    "colour_hex",
    "dollars",
    "month_name",
    "read_ask",
    "untitled",
    "usd_text",
    "CreativeSound",
    "SoundSpec",
    "VoiceScript",
    "VoiceView",
]
