"""What the chat says of an export, in words: that it started, how far it got, and its report: one line per
placement (✓ or ✗, its label, size and length, or the check that failed and by how much), the links (the zip,
manifest.json, each file and its captions), what made the video as its content credentials say, and the fixes a
failed check offers. Plain text only: chat/notify.py and chat/exports.py put the buttons under it."""

from __future__ import annotations

from collections.abc import Sequence

from tools.studio.types import Check, ExportFile, ExportView, JobStatus, Placement, Provenance

EVERY_COUNT = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def labels_of(placements: Sequence[Placement], keys: Sequence[str]) -> list[str]:
    """The placements' labels, for their keys (a key no longer in the table as itself)."""
    by_key = {p.key: p.label for p in placements}
    return [by_key.get(k, k) for k in keys]


def listed(names: Sequence[str]) -> str:
    """ "TikTok in-feed", "TikTok in-feed and Instagram Reels", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}" if names else ""


def all_label(count: int) -> str:
    """The button that exports to every default placement: "All seven"."""
    return f"All {EVERY_COUNT[count] if count < len(EVERY_COUNT) else count}"


def started_text(view: ExportView, placements: Sequence[Placement]) -> str:
    """What the user reads once an export is queued."""
    trimmed = ", each trimmed to its placement's longest length" if view.trim else ""
    return (
        f"Exporting *{view.title}* for {listed(labels_of(placements, view.placements))}{trimmed}: each file is made "
        "for its placement, signed with content credentials and checked against its specs. The report comes here."
    )


def size(n: int) -> str:
    """A file's size as people read it: 840 KB, 3.2 MB."""
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} KB"


def failure(c: Check) -> str:
    """A failed check and by how much: "duration 75.0 s, 15.0 s too long (takes 5–60 s)"."""
    by = f", {c.off_by}" if c.off_by else ""
    return f"{c.name} {c.measured}{by} (takes {c.limit})"


def file_line(f: ExportFile) -> str:
    """One placement's line of the report."""
    if not f.delivered:
        failed = "; ".join(failure(c) for c in f.checks if not c.ok) or "not made"
        return f"- ✗ **{f.label}**: not delivered, {failed}"
    captions = [f"[{kind}]({url})" for kind, url in (("SRT", f.srt_url), ("VTT", f.vtt_url)) if url]
    link = f" · [{f.name}]({f.url})" if f.url else ""
    subs = f" · captions {' '.join(captions)}" if captions else ""
    return f"- ✓ **{f.label}** · {f.width}x{f.height} · {f.duration_s:.1f} s · {size(f.bytes)}{link}{subs}"


def credentials_line(p: Provenance) -> str:
    """What the files' content credentials say made them: "made by Veo 3.1, AI-generated
    (compositeWithTrainedAlgorithmicMedia)"."""
    term = p.source_type.rstrip("/").rsplit("/", 1)[-1]
    what = "AI-generated" if p.hosted else "drawn without a generative model"
    label = " Turn on each platform's AI-generated label when you upload." if any(p.disclosure.values()) else ""
    return f"Signed with content credentials: made by {p.model_name}, {what} ({term}).{label}"


def report_text(view: ExportView, lead: str = "") -> str:
    """The export's report: the headline, the links, a line per placement, the fixes offered and the content
    credentials; or why it could not be made at all."""
    delivered = [f for f in view.files if f.delivered]
    if view.status == JobStatus.canceled:
        return f"{lead}The export of *{view.title}* was stopped: nothing was delivered."
    if not view.files:
        return f"{lead}The export of *{view.title}* failed: {view.error or 'no file was made'}"
    if not delivered:
        head = f"{lead}**“{view.title}” was not exported**: no file passed its checks."
    elif len(delivered) < len(view.files):
        head = f"{lead}**Exported “{view.title}”** for {len(delivered)} of {len(view.files)} placements."
    else:
        head = f"{lead}**Exported “{view.title}”** for {len(delivered)} placement{'s' if len(delivered) > 1 else ''}."
    if view.trim and delivered:
        head += " Each file is trimmed to its placement's longest length."
    links = [f"[Download all (zip)]({view.zip_url})"] if view.zip_url else []
    links += [f"[manifest.json]({view.manifest_url})"] if view.manifest_url else []
    parts = [head + (f" {' · '.join(links)}" if links else ""), "\n".join(file_line(f) for f in view.files)]
    if fixes := [f"> {fix.text}" for fix in view.fixes]:
        parts.append("\n".join(fixes))
    if view.provenance is not None:
        parts.append(credentials_line(view.provenance))
    return "\n\n".join(parts)


def fixed_placements(view: ExportView) -> tuple[list[str], str] | None:
    """The placements a trim would deliver (their files failed a check a trim fixes) and the fix button's label
    ("Trim to 60 s and export"); None when no failed check offers a trim."""
    keys = [f.placement for f in view.files if any(c.fix and c.fix.kind == "trim" and not c.ok for c in f.checks)]
    if not keys:
        return None
    seconds = {c.fix.seconds for f in view.files for c in f.checks if c.fix and not c.ok}
    label = f"Trim to {seconds.pop():g} s and export" if len(seconds) == 1 else "Trim each to fit and export"
    return keys, label
