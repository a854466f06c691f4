"""`studio.credentials`: a file's content credentials (C2PA), read and checked against its bytes, for whoever holds
the file: no database, no actor, so `clapboard verify` starts at once."""

from __future__ import annotations

from pathlib import Path

from campaign.settings import Settings
from tools.delivery.certificate import LOCAL_SIGNER as LOCAL_SIGNER  # the local certificate's signer name
from tools.delivery.credentials import IPTC as IPTC  # the prefix of the IPTC digital source types
from tools.delivery.credentials import Verified, verify


def verify_file(path: Path, settings: Settings) -> Verified:
    """Blocking: `path`'s manifest, checked; a signer is trusted when `settings.c2pa_trust_anchors` holds its root.
    Raises InvalidRequest when the file carries none or cannot be read."""
    return verify(path, settings.c2pa_trust_anchors)
