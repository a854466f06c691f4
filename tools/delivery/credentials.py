"""Content credentials: every exported file is signed with a C2PA manifest (c2pa-python) saying what made it,
its IPTC digital source type, the actions, and the model's output as an ingredient; `verify` reads one back."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from campaign.settings import Settings

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = IPTC + "trainedAlgorithmicMedia"  # model footage as the model made it
COMPOSITE_TRAINED = IPTC + "compositeWithTrainedAlgorithmicMedia"  # model footage the finisher drew over
DRAWN = IPTC + "digitalCreation"  # a local draft: no generative model was involved


class Provenance(BaseModel):
    """What made an exported file: written into its manifest and into the export's manifest.json."""

    title: str
    creative_id: str
    model_id: str  # "veo-3.1" or "draft"
    model_name: str  # "Veo 3.1" or "Clapboard Draft"
    hosted: bool  # a generative model made the footage
    finished: bool  # the finisher drew the ad over that footage
    source_type: str  # one of the IPTC URLs above
    actions: list[str]  # c2pa action names: "c2pa.created", "c2pa.edited", "c2pa.resized", ...
    ingredient: str | None = None  # the model's output as the ingredient's title ("veo-3.1 footage <id>.mp4")
    disclosure: dict[str, bool] = {}  # the platforms' AI-made flags: {"youtube.containsSyntheticMedia": True}


class Verified(BaseModel):
    valid: bool  # the manifest's signature and hashes match the file's bytes
    trusted: bool  # the signer's certificate chains to a trust list (a local certificate never does)
    signer: str  # the certificate's subject
    model: str  # the generator named in the manifest
    source_type: str
    actions: list[str]
    problems: list[str]  # validation failures, as c2pa reports them


def sign(src: Path, dest: Path, provenance: Provenance, settings: Settings, ingredient: Path | None = None) -> None:
    """Blocking: `src` written to `dest` with a manifest signed by the operator's certificate and key
    (`settings.c2pa_cert`, `settings.c2pa_key`), or by a local certificate made at first use under
    `settings.data_dir` when none is set. `ingredient` is the model's output file, when there is one."""
    raise NotImplementedError


def verify(path: Path) -> Verified:
    """Blocking: the manifest in `path`, read and validated. Raises InvalidRequest when the file carries none."""
    raise NotImplementedError
