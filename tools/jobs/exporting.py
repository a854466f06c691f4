"""An export job: a creative made again for each placement by what made it (a draft drawn again in the
placement's frame; a paid video's kept footage reframed and finished again for it, every placement from one
decode), each file signed with content credentials and then checked from its own bytes. A file that fails a check
is not delivered; the export's row keeps every check, and its zip holds the files delivered, their captions and
manifest.json. A creative longer than a placement takes is not rendered for it unless the export trims."""

from __future__ import annotations

import asyncio
import json
import logging
import math
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from threading import Event
from typing import Protocol

from campaign.errors import ChecksFailed, ClapboardError, InvalidRequest, NotFound, ProviderFailed
from campaign.models import Campaign, Creative, Job, JobStatus
from campaign.settings import Settings
from campaign.storage import BlobStorage, read_all
from campaign.store import Store
from tools.brief import download_name
from tools.catalog import Catalog, ModelSpec
from tools.delivery.checks import Check, Measured, check, duration_check, measure, read_words
from tools.delivery.credentials import COMPOSITE_TRAINED, DRAWN, Provenance, sign
from tools.delivery.placements import EXPORT_FPS, PLACEMENTS, Box, Placement, find_placements
from tools.engines.base import Progress, RenderJob, scaled
from tools.engines.draft.engine import BrandFiles, DraftResult, Report, in_thread, read_brand_files, render_draft
from tools.finish.compose import Finished, finish_footage
from tools.finish.formats import finish_formats
from tools.jobs.events import EventBus, JobEvent, LostJob, announcement, event
from tools.jobs.soundfiles import SRT_TYPE, VTT_TYPE, stored_speech
from tools.jobs.spec import ExportSpec, JobSpec
from tools.sound.captions import srt, vtt
from tools.sound.speech import CreativeSound, Speech, SpokenLine
from tools.views import ExportView, StoredFile, failed_fixes

log = logging.getLogger(__name__)
GONE = "The video left the library before it was exported."
RENDER_SHARE = 0.85  # of the job's progress: the renders; signing, checking and storing take the rest
FLAGS = sorted({p.disclosure for p in PLACEMENTS if p.disclosure})  # the platforms' own AI-made flags
READ_AT = (0.25, 0.6)  # where a file with model footage is read for words the model drew (before the end card)


class Host(Protocol):
    """What an export needs of the job body that runs it (tools.jobs.body.JobBody)."""

    settings: Settings
    store: Store
    storage: BlobStorage
    catalog: Catalog
    bus: EventBus

    def progress(self, job: Job, spec: JobSpec, runner: str) -> Progress: ...

    async def fetch(self, key: str, path: Path) -> Path: ...

    def published(self, e: JobEvent) -> None: ...


@dataclass
class Rendered:
    """One placement's file as the renderer wrote it, and where it drew words."""

    path: Path
    text_boxes: list[Box]
    lines: list[SpokenLine]  # the voice-over's lines as heard in it (its captions)
    footage: bool  # a model's footage is in it: its frames are read for words the model drew


async def run_export(body: Host, job: Job, spec: JobSpec, runner: str, workdir: Path) -> None:
    """Make, sign, check and store every placement's file of the export `job`, then end the job: succeeded when
    one file or more was delivered, failed (stage "checks") when none was."""
    asked = spec.export
    assert asked is not None
    report = body.progress(job, spec, runner)
    campaign = await body.store.campaign_by_id(job.campaign_id)
    creative = await _creative(body, asked, campaign.team_id)
    model = body.catalog.get(creative.model)
    sound = CreativeSound.model_validate(creative.sound) if creative.sound else None
    speech = await stored_speech(body.storage, sound) if sound and sound.voice_key else None
    placements = find_placements(asked.placements)
    jobs, refused = _planned(job.id, spec, creative, model, placements, asked.trim, speech)
    footage = await body.fetch(creative.footage_key, workdir / "footage.mp4") if creative.footage_key else None
    rendered: dict[str, Rendered] = {}
    if jobs:
        progress = scaled(report, 0.0, RENDER_SHARE)
        rendered = await (
            _finished(body, footage, jobs, workdir, progress) if footage else _drawn(body, jobs, workdir, progress)
        )
    provenance = provenance_of(creative, model)
    put: list[str] = []  # every key stored so far: taken back unless the export ends delivered or checked
    try:
        files: list[StoredFile] = []
        for i, p in enumerate(placements):
            await report(RENDER_SHARE + (1 - RENDER_SHARE) * i / len(placements), f"Checking the {p.label} file")
            if p.key in refused:
                files.append(StoredFile(placement=p.key, label=p.label, delivered=False, name=None, key=None,
                                        bytes=0, width=0, height=0, duration_s=creative.duration_s,
                                        checks=refused[p.key]))  # fmt: skip
                continue
            made = rendered[p.key]
            signed = workdir / f"signed-{p.key}.mp4"
            checks, measured = await asyncio.to_thread(_signed_and_checked, made, signed, p, provenance, body,
                                                       footage)  # fmt: skip
            name = download_name(spec.title, p.key)
            stored = StoredFile(placement=p.key, label=p.label, delivered=all(c.ok for c in checks), name=name,
                                key=None, bytes=measured.bytes, width=measured.width, height=measured.height,
                                duration_s=round(measured.duration_s, 2), checks=checks)  # fmt: skip
            if stored.delivered:
                sidecars = await _sidecars(workdir, p.key, made.lines) if spec.sound.captions else []
                stored = await _store(body, job.id, stored, signed, sidecars, put)
            files.append(stored)
        await _delivered(body, job, spec, runner, creative, campaign, files, provenance, workdir, put)
    except ChecksFailed:  # nothing delivered: the row keeps every check and manifest.json
        raise
    except BaseException:  # a stop, a cancel, a failure: nothing it stored stays behind
        await asyncio.shield(_taken_back(body, job.id, runner, put))
        raise


async def _taken_back(body: Host, export_id: str, runner: str, keys: Sequence[str]) -> None:
    """What a stopped or failed export stored, taken back: its row's files, zip and manifest cleared and their
    keys deleted; unless another runner took the job over meanwhile (the keys are the same: they are its now)."""
    if not keys or (await body.store.job(export_id)).runner != runner:
        return
    await body.store.record_export(export_id, files=[], zip_key=None, manifest_key=None, provenance=None)
    for key in keys:
        try:
            await body.storage.delete(key)
        except ClapboardError:
            log.warning("could not delete %s", key)


async def _creative(body: Host, asked: ExportSpec, team_id: str) -> Creative:
    try:
        return await body.store.creative(asked.creative_id, team_id)
    except NotFound:
        raise InvalidRequest(GONE, hint="Export another video from the library.") from None


def _planned(
    job_id: str,
    spec: JobSpec,
    creative: Creative,
    model: ModelSpec,
    placements: Sequence[Placement],
    trim: bool,
    speech: Speech | None,
) -> tuple[dict[str, RenderJob], dict[str, list[Check]]]:
    """Each placement's render job, or the failed length check that keeps it from being rendered (a creative
    longer than the placement takes, with no trim asked, or shorter than it takes)."""
    jobs: dict[str, RenderJob] = {}
    refused: dict[str, list[Check]] = {}
    for p in placements:
        fits = duration_check(creative.duration_s, p)
        if fits.ok or (trim and fits.fix is not None):
            jobs[p.key] = placement_job(job_id, spec, model, p, _seconds(creative, spec.duration_s, p, trim), speech)
        else:
            refused[p.key] = [fits]
    return jobs, refused


def _seconds(creative: Creative, drawn_s: int, p: Placement, trim: bool) -> int:
    """How long a placement's file is made: a draft as long as it was drawn (`drawn_s`), footage whole (the
    finisher cuts only footage longer than its job: 6.5 s of footage is a 7 s job, never 6); with a trim, at
    most the placement's longest."""
    seconds = math.ceil(creative.duration_s) if creative.footage_key else drawn_s
    return min(seconds, int(p.duration_s[1])) if trim else seconds


def placement_job(
    job_id: str, spec: JobSpec, model: ModelSpec, p: Placement, seconds: int, speech: Speech | None
) -> RenderJob:
    """The creative's own job (its words, kit, variation and sound) made again for placement `p`: its frame,
    safe zone and loudness, `seconds` long."""
    fps = spec.fps if p.fps[0] <= spec.fps <= p.fps[1] else EXPORT_FPS
    return RenderJob(job_id=job_id, brief=spec.prompt, prompt=spec.prompt_sent, model=model, duration_s=seconds,
                     aspect=p.aspect, resolution="1080p", width=p.width, height=p.height, fps=fps,
                     template=spec.template, copy=spec.copy, references=spec.references, audio=spec.audio,
                     variant=spec.variant, brand=spec.brand, sound=spec.sound, speech=speech,
                     placement=p)  # fmt: skip


async def _drawn(body: Host, jobs: Mapping[str, RenderJob], workdir: Path, progress: Progress) -> dict[str, Rendered]:
    """A draft drawn again for each placement, one after the other."""
    first = next(iter(jobs.values()))
    raw = [await read_all(body.storage, ref.key) for ref in first.references]
    files = await read_brand_files(body.storage, first)
    made: dict[str, Rendered] = {}
    for i, (key, job) in enumerate(jobs.items()):
        dest = workdir / f"{key}.mp4"
        step = scaled(progress, i / len(jobs), (i + 1) / len(jobs))
        await step(0.0, f"Drawing the {job.placement.label if job.placement else key} version")
        result = await in_thread(partial(_draw, job, raw, dest, files), step)
        placed = result.speech or job.speech
        lines = placed.lines if placed else []
        made[key] = Rendered(dest, sorted(result.text_boxes), _heard(lines, job.duration_s), footage=False)
    return made


def _draw(
    job: RenderJob, raw: list[bytes], dest: Path, files: BrandFiles, report: Report, cancel: Event
) -> DraftResult:
    """Blocking: the draft drawn for one placement (`in_thread` passes its report and cancel last)."""
    return render_draft(job, raw, dest, report, cancel, files)


async def _finished(
    body: Host, footage: Path, jobs: Mapping[str, RenderJob], workdir: Path, progress: Progress
) -> dict[str, Rendered]:
    """The kept footage reframed and finished for every placement in one pass over it."""
    outputs = {key: (workdir / f"{key}.mp4", job) for key, job in jobs.items()}
    made: dict[str, Finished] = {}

    def every_placement(footage: Path, dest: Path, job: RenderJob, files: BrandFiles | None, report: Report,
                        cancel: Event, *, references: Sequence[bytes]) -> Finished:  # fmt: skip
        """`finish_footage`'s work: every placement's output, not only `dest`'s."""
        made.update(finish_formats(footage, outputs, None, files, report, cancel, references=references))
        return made[next(iter(outputs))]

    first = next(iter(jobs.values()))
    try:
        await finish_footage(body.storage, first, footage, workdir / "unused.mp4", progress, every_placement)
    except ProviderFailed as exc:  # its hint is a new video's ("generate the footage again"): an export's is not
        raise ProviderFailed(exc.message, hint="Try the export again; nothing was charged.") from exc
    return {
        key: Rendered(
            outputs[key][0],
            sorted(made[key].text_boxes),
            _heard(job.speech.lines if job.speech else [], job.duration_s),
            footage=True,
        )  # fmt: skip
        for key, job in jobs.items()
    }


def _heard(lines: Sequence[SpokenLine], seconds: float) -> list[SpokenLine]:
    """The lines heard within the first `seconds` (a trimmed file's captions end with it)."""
    return [line.model_copy(update={"end": min(line.end, seconds)}) for line in lines if line.start < seconds]


def _signed_and_checked(
    made: Rendered, signed: Path, p: Placement, provenance: Provenance, body: Host, footage: Path | None
) -> tuple[list[Check], Measured]:
    """Blocking: the file signed into `signed`, then measured and checked from the signed file's bytes."""
    sign(made.path, signed, provenance, body.settings, footage)
    measured = measure(signed)
    if not made.footage:
        return check(measured, p, made.text_boxes, unread="no model footage: every word is the draft's own"), measured
    read = read_words(signed, [measured.duration_s * share for share in READ_AT])
    return check(measured, p, made.text_boxes, read, unread="not read: no OCR on this server"), measured


def provenance_of(creative: Creative, model: ModelSpec) -> Provenance:
    """What made the creative, as its exported files' manifests say it."""
    if model.hosted:
        return Provenance(
            title=creative.title,
            creative_id=creative.id,
            model_id=model.id,
            model_name=model.name,
            hosted=True,
            finished=True,
            source_type=COMPOSITE_TRAINED,
            actions=["c2pa.created", "c2pa.edited", "c2pa.resized", "c2pa.transcoded"],
            ingredient=f"{model.name} footage of “{creative.title}”",
            disclosure=dict.fromkeys(FLAGS, True),
        )
    return Provenance(title=creative.title, creative_id=creative.id, model_id=model.id, model_name=model.name,
                      hosted=False, finished=False, source_type=DRAWN, actions=["c2pa.created"],
                      disclosure=dict.fromkeys(FLAGS, False))  # fmt: skip


async def _sidecars(workdir: Path, key: str, lines: list[SpokenLine]) -> list[Path]:
    """The placement's SRT and VTT captions written beside its file (none without a voice-over)."""
    if not lines:
        return []
    written = []
    for kind, text in (("srt", srt(lines)), ("vtt", vtt(lines))):
        path = workdir / f"{key}.{kind}"
        await asyncio.to_thread(path.write_text, text, encoding="utf-8")
        written.append(path)
    return written


async def _store(
    body: Host, export_id: str, f: StoredFile, path: Path, sidecars: list[Path], put: list[str]
) -> StoredFile:
    """A delivered file and its caption files put in storage under exports/<id>/ (streamed from disk, as the
    storage reads: nothing blocks the event loop); each key added to `put` before it is written."""
    prefix = f"exports/{export_id}"
    keys: dict[str, str | None] = {"key": f"{prefix}/{f.placement}.mp4"}
    await _put(body, put, f"{prefix}/{f.placement}.mp4", path, "video/mp4")
    for sidecar in sidecars:
        kind = sidecar.suffix.removeprefix(".")
        keys[f"{kind}_key"] = f"{prefix}/{sidecar.name}"
        await _put(body, put, f"{prefix}/{sidecar.name}", sidecar, SRT_TYPE if kind == "srt" else VTT_TYPE)
    return f.model_copy(update=keys)


async def _put(body: Host, put: list[str], key: str, source: Path | bytes, content_type: str) -> None:
    """One file or body stored under `key`, noted in `put` first (a failure part way leaves nothing behind)."""
    put.append(key)
    if isinstance(source, bytes):
        await body.storage.put(key, source, content_type)
        return
    with source.open("rb") as fh:
        await body.storage.put(key, fh, content_type)


async def _delivered(
    body: Host,
    job: Job,
    spec: JobSpec,
    runner: str,
    creative: Creative,
    campaign: Campaign,
    files: list[StoredFile],
    provenance: Provenance,
    workdir: Path,
    put: list[str],
) -> None:
    """manifest.json and the zip stored, the export's row written, and the job ended: succeeded with what was
    delivered, or failed at the checks when nothing was. InvalidRequest when the row has gone (its creative was
    deleted meanwhile): what it stored is then taken back."""
    delivered = [f for f in files if f.delivered]
    prefix = f"exports/{job.id}"
    manifest = manifest_of(job.id, creative, campaign.name, files, provenance)
    manifest_key, zip_key = f"{prefix}/manifest.json", None
    await _put(body, put, manifest_key, manifest, "application/json")
    if delivered:
        bundle = workdir / "export.zip"
        await asyncio.to_thread(_zipped, bundle, delivered, manifest, workdir)
        zip_key = f"{prefix}/export.zip"
        await _put(body, put, zip_key, bundle, "application/zip")
    rows = [f.model_dump(mode="json") for f in files]
    if not await body.store.record_export(job.id, files=rows, zip_key=zip_key, manifest_key=manifest_key,
                                          provenance=provenance.model_dump(mode="json")):  # fmt: skip
        raise InvalidRequest(GONE, hint="Export another video from the library.")
    failed = [f"{f.label}: {failure_text(f.checks)}" for f in files if not f.delivered]
    if not delivered:
        fixes = " ".join(f.text for f in failed_fixes(files))
        raise ChecksFailed(f"No file passed its checks. {' '.join(failed)}", hint=fixes)
    notice = f"Not delivered: {' '.join(failed)}" if failed else None
    stored, row = await body.store.export(job.id, campaign.team_id)
    view = ExportView.of(stored, row, campaign.name, body.storage).model_copy(
        update={"status": JobStatus.succeeded, "progress": 1.0, "notice": notice}
    )
    said = f"Exported “{spec.title}” for {', '.join(f.label for f in delivered)}."
    ready = event(job, spec, "export_ready", " ".join(filter(None, [said, notice])), fraction=1.0, export=view)
    if not await body.store.transition(job.id, [JobStatus.running], JobStatus.succeeded, held_by=runner,
                                       announce=announcement(ready, body.bus.id), progress=1.0, notice=notice,
                                       lease_until=None):  # fmt: skip
        raise LostJob(job.id)
    body.published(ready)


def failure_text(checks: Sequence[Check]) -> str:
    """What failed, by how much: "duration 75.0 s (5–60 s: 15.0 s too long)."."""
    return "; ".join(f"{c.name} {c.measured} ({c.limit}: {c.off_by})" for c in checks if not c.ok) + "."


def manifest_of(
    export_id: str, creative: Creative, campaign: str, files: Sequence[StoredFile], provenance: Provenance
) -> bytes:
    """manifest.json: each placement's file (or why it was not delivered) with its checks, and what made them."""
    return json.dumps(
        {
            "export": export_id,
            "creative": creative.id,
            "title": creative.title,
            "campaign": campaign,
            "provenance": provenance.model_dump(mode="json"),
            "files": [
                {
                    "placement": f.placement,
                    "label": f.label,
                    "delivered": f.delivered,
                    "file": f.name if f.delivered else None,
                    "captions": [
                        f"{(f.name or '').removesuffix('.mp4')}.{k}" for k in ("srt", "vtt") if getattr(f, f"{k}_key")
                    ],  # fmt: skip
                    "width": f.width,
                    "height": f.height,
                    "duration_s": f.duration_s,
                    "bytes": f.bytes,
                    "checks": [c.model_dump(mode="json", exclude_none=True) for c in f.checks],
                    # the flag to set on upload where the platform asks (YouTube, TikTok): on for model footage
                    "disclosure": {
                        flag: provenance.hosted for flag in [find_placements(f.placement)[0].disclosure] if flag
                    },  # fmt: skip
                }
                for f in files
            ],
        },
        indent=2,
        ensure_ascii=False,
    ).encode()


def _zipped(bundle: Path, delivered: Sequence[StoredFile], manifest: bytes, workdir: Path) -> None:
    """Blocking: the zip of the delivered files (stored as they are: MP4 does not compress), their captions and
    manifest.json."""
    with zipfile.ZipFile(bundle, "w") as z:
        for f in delivered:
            name = f.name or f"{f.placement}.mp4"
            z.write(workdir / f"signed-{f.placement}.mp4", name, compress_type=zipfile.ZIP_STORED)
            for kind in ("srt", "vtt"):
                if (sidecar := workdir / f"{f.placement}.{kind}").exists():
                    z.write(sidecar, f"{name.removesuffix('.mp4')}.{kind}", compress_type=zipfile.ZIP_DEFLATED)
        z.writestr("manifest.json", manifest, compress_type=zipfile.ZIP_DEFLATED)
