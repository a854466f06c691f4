"""What an export reports of each file, as plain types front ends show: the checks a file passed or failed (and
the fix offered), and the content credentials signed into it. Light on purpose (no PyAV, c2pa or numpy): the
views, the CLI and the API import it without loading the measuring and the signing."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Fix(BaseModel):
    """What the product can do about a failed check; `export ... --trim` (or the chat's button) does it."""

    kind: Literal["trim"]
    seconds: float  # trim to this length
    text: str  # "TikTok in-feed takes at most 60 s: trim to 60 s?"


class Check(BaseModel):
    """One check of an exported file against its placement (tools/delivery/checks.py)."""

    name: str  # "duration", "loudness", "safe zone", ...
    ok: bool
    measured: str  # "75.0 s"
    limit: str  # "5–60 s"
    off_by: str = ""  # "15.0 s too long" when it failed
    skipped: str = ""  # why it was not measured (then ok is True and `measured` is empty)
    fix: Fix | None = None


class Provenance(BaseModel):
    """What made an exported file: written into its manifest (tools/delivery/credentials.py) and into the
    export's manifest.json."""

    title: str
    creative_id: str
    model_id: str  # "veo-3.1" or "draft"
    model_name: str  # "Veo 3.1" or "Clapboard Draft"
    hosted: bool  # a generative model made the footage
    finished: bool  # the finisher drew the ad over that footage
    source_type: str  # an IPTC digital source type URL (credentials.COMPOSITE_TRAINED, credentials.DRAWN)
    actions: list[str]  # c2pa action names: "c2pa.created", "c2pa.edited", "c2pa.resized", ...
    ingredient: str | None = None  # the model's output as the ingredient's title ("Veo 3.1 footage of “Spring teaser”")
    disclosure: dict[str, bool] = {}  # the platforms' AI-made flags: {"youtube.containsSyntheticMedia": True}


class Verified(BaseModel):
    """What a file's content credentials say, read back and validated."""

    valid: bool  # the manifest's signature and hashes match the file's bytes
    trusted: bool  # the signer's certificate chains to a trust list (a local certificate never does)
    signer: str  # the certificate's subject
    model: str  # the generator named in the manifest
    source_type: str
    actions: list[str]
    problems: list[str]  # validation failures, as c2pa reports them ("code: explanation"), the untrusted signer aside
    title: str = ""
    ingredients: list[str] = []  # the ingredients' titles: the model's output the file was made from
    disclosure: dict[str, bool] = {}  # the platforms' AI-made flags the file carries (Clapboard's own assertion)
