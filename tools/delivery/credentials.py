"""Content credentials: every exported file is signed with a C2PA manifest (c2pa-python) saying what made it,
its IPTC digital source type, the actions, and the model's output as an ingredient; `verify` reads one back."""

from __future__ import annotations

import json
import logging
import mimetypes
from importlib.metadata import version
from pathlib import Path
from typing import Any

import c2pa

from campaign.errors import InvalidRequest, SigningFailed
from campaign.settings import Settings
from tools.delivery.certificate import credential
from tools.delivery.report import Provenance, Verified

log = logging.getLogger(__name__)

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
COMPOSITE_TRAINED = IPTC + "compositeWithTrainedAlgorithmicMedia"  # model footage the finisher drew over
DRAWN = IPTC + "digitalCreation"  # a local draft: no generative model was involved


EXPORT_LABEL = "com.clapboard.export"  # our assertion: model, creative and the platforms' AI-made flags
UNTRUSTED = "signingCredential.untrusted"
NEEDS_INGREDIENT = {"c2pa.placed", "c2pa.opened"}  # c2pa refuses these without the ingredient they name
FOOTAGE = "footage"  # the ingredient's label while building, which those actions name
EXPORTED = {"model_id", "model_name", "creative_id", "hosted", "finished", "disclosure"}  # in EXPORT_LABEL


def sign(src: Path, dest: Path, provenance: Provenance, settings: Settings, ingredient: Path | None = None) -> None:
    """Blocking: `src` written to `dest` with a manifest signed by the operator's certificate and key
    (`settings.c2pa_cert`, `settings.c2pa_key`), or by a local certificate made at first use under
    `settings.data_dir` when none is set; dated by `settings.c2pa_timestamp_url` when set. `ingredient` is the
    model's output file, when there is one: listed as a component, and named by a `c2pa.placed` action (added
    after `c2pa.created` when the file was finished over it and `provenance.actions` has none; listed without an
    ingredient, it is refused). An MP4's index stays before its media (c2pa adds its box after `ftyp` and moves
    the chunk offsets), so the file still starts playing at once."""
    if dest.resolve() == src.resolve():
        raise ValueError("sign writes a new file: `dest` must not be `src`")
    missing = NEEDS_INGREDIENT.intersection(provenance.actions)
    if missing and ingredient is None:
        raise ValueError(f"{', '.join(sorted(missing))} names the ingredient: pass the model's output file")
    key, stamp = credential(settings), settings.c2pa_timestamp_url
    try:
        with (
            c2pa.Signer.from_info(c2pa.C2paSignerInfo(key.alg, key.chain, key.key, stamp)) as signer,
            c2pa.Builder(_manifest(provenance, _actions(provenance, ingredient is not None))) as builder,
        ):
            if ingredient is not None:
                title = provenance.ingredient or ingredient.name
                with ingredient.open("rb") as footage:
                    builder.add_ingredient(
                        {"title": title, "relationship": "componentOf", "label": FOOTAGE}, _mime(ingredient), footage
                    )
            with src.open("rb") as source, dest.open("w+b") as out:
                builder.sign(signer, _mime(src), source, out)
    except c2pa.C2paError as exc:
        dest.unlink(missing_ok=True)
        log.warning("signing %s failed: %s", dest.name, exc)
        raise SigningFailed(
            f"Content credentials could not be signed into {dest.name}.",
            hint="The server's log has c2pa's reason: the server's signing certificate and key, or the file.",
        ) from None


def verify(path: Path, trust_anchors: Path | None = None) -> Verified:
    """Blocking: the manifest in `path`, read and validated (offline: a manifest kept elsewhere is not fetched).
    A signer is trusted when its chain ends at one of `trust_anchors` (PEM roots, as
    `settings.c2pa_trust_anchors`). Raises InvalidRequest when the file carries no manifest, or is unreadable."""
    config: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    if trust_anchors is not None:
        config["trust"] = {"trust_anchors": _read_anchors(trust_anchors)}
    try:
        with path.open("rb") as fh, c2pa.Context.from_dict(config) as context, c2pa.Reader(fh, context=context) as r:
            store = json.loads(r.json())
    except OSError:
        raise InvalidRequest(f"{path.name} could not be read.", hint="Check the file's path.") from None
    except c2pa.C2paError.ManifestNotFound:
        raise InvalidRequest(
            f"{path.name} carries no content credentials.", hint="Files exported from Clapboard are signed."
        ) from None
    except c2pa.C2paError.NotSupported:
        raise InvalidRequest(
            f"{path.name} is not a kind of file that carries content credentials.", hint="Give an MP4 or MOV file."
        ) from None
    except c2pa.C2paError as exc:  # a manifest is there but could not be decoded: it is no proof of anything
        return Verified(valid=False, trusted=False, signer="", model="", source_type="", actions=[],
                        problems=[str(exc)])  # fmt: skip
    return _verified(store)


def _actions(p: Provenance, ingredient: bool) -> list[str]:
    """The manifest's actions: those of `p`, with `c2pa.placed` after `c2pa.created` when the file was finished
    over the model's footage given as its ingredient (the action is what links the ingredient to the file)."""
    if not (ingredient and p.finished) or "c2pa.placed" in p.actions:
        return p.actions
    at = p.actions.index("c2pa.created") + 1 if "c2pa.created" in p.actions else 0
    return [*p.actions[:at], "c2pa.placed", *p.actions[at:]]


def _manifest(p: Provenance, actions: list[str]) -> dict[str, Any]:
    return {
        "claim_generator_info": [CLAPBOARD],
        "title": p.title,
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [_action(name, p) for name in actions]}},
            {"label": EXPORT_LABEL, "data": p.model_dump(include=EXPORTED)},
        ],
    }


CLAPBOARD = {"name": "Clapboard", "version": version("clapboard")}


def _action(name: str, p: Provenance) -> dict[str, Any]:
    """One c2pa action: what the model made (`created`, with the IPTC source type), what Clapboard did after."""
    if name == "c2pa.created":
        made = f"{p.model_name} generated the footage" if p.hosted else f"{p.model_name} drew it, no generative model"
        return {"action": name, "digitalSourceType": p.source_type, "softwareAgent": {"name": p.model_name},
                "description": made}  # fmt: skip
    action: dict[str, Any] = {"action": name, "softwareAgent": CLAPBOARD}
    if name in NEEDS_INGREDIENT:
        action["parameters"] = {"ingredientIds": [FOOTAGE]}
    description = _DONE.get(name)
    if name == "c2pa.edited" and p.finished:
        description = "Clapboard's finisher drew the ad's words, logo and end card over the footage"
    return action | ({"description": description} if description else {})


_DONE = {
    "c2pa.placed": "The model's footage placed under the ad",
    "c2pa.edited": "Edited by Clapboard",
    "c2pa.resized": "Reframed and scaled to the placement's frame",
    "c2pa.transcoded": "Encoded for the placement",
}


def _mime(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "video/mp4"


def _read_anchors(path: Path) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        log.warning("the trust anchors %s could not be read: %s", path, exc)
        raise InvalidRequest(
            "The server's trust anchors could not be read.", hint="They must be a PEM file of root certificates."
        ) from None


def _verified(store: dict[str, Any]) -> Verified:
    """What a reader's manifest store says of its active manifest."""
    manifest = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
    actions = [a for x in manifest.get("assertions", []) if x["label"].startswith("c2pa.actions")
               for a in x["data"].get("actions", [])]  # fmt: skip
    created: dict[str, Any] = next((a for a in actions if a.get("digitalSourceType")), {})
    agent = created.get("softwareAgent") or (manifest.get("claim_generator_info") or [{}])[0]
    ours: dict[str, Any] = next((x["data"] for x in manifest.get("assertions", []) if x["label"] == EXPORT_LABEL), {})
    results = store.get("validation_results", {}).get("activeManifest")
    failures = results.get("failure", []) if results else store.get("validation_status", [])
    flags = ours.get("disclosure")  # a file from elsewhere may say anything under our label
    info = manifest.get("signature_info", {})
    name, organization = info.get("common_name") or "", info.get("issuer") or ""  # c2pa's "issuer": the subject's O
    signer = f"{name} ({organization})" if name and organization and organization != name else name or organization
    state = store.get("validation_state")
    return Verified(
        valid=state in ("Valid", "Trusted"),
        trusted=state == "Trusted",
        signer=signer,
        model=agent.get("name", "") if isinstance(agent, dict) else str(agent),
        source_type=created.get("digitalSourceType", ""),
        actions=[a["action"] for a in actions],
        problems=[f"{f['code']}: {f.get('explanation', '')}" for f in failures if f["code"] != UNTRUSTED],
        title=manifest.get("title", ""),
        ingredients=[i.get("title", "") for i in manifest.get("ingredients", [])],
        disclosure={k: v for k, v in flags.items() if isinstance(v, bool)} if isinstance(flags, dict) else {},
    )
