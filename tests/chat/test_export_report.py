"""An export's report says per placement whether its file was delivered, its size and length or the check that
failed and by how much, links the zip, manifest.json and each file, names what made the video, and offers the fix a
failed length check has as one button for the placements it fixes."""

from __future__ import annotations

from typing import Any

from chat.export_report import all_label, fixed_placements, report_text
from chat.notify import fix_actions
from tools.studio.types import ExportView

IPTC = "http://cv.iptc.org/newscodes/digitalsourcetype/"
VEO = {
    "title": "Aurora X", "creative_id": "c1", "model_id": "veo-3.1", "model_name": "Veo 3.1", "hosted": True,
    "finished": True, "source_type": IPTC + "compositeWithTrainedAlgorithmicMedia", "actions": ["c2pa.created"],
    "disclosure": {"youtube.containsSyntheticMedia": True},
}  # fmt: skip


def _file(key: str, label: str, delivered: bool, checks: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "placement": key, "label": label, "delivered": delivered, "name": f"aurora-x-{key}.mp4" if delivered else None,
        "url": f"/files/exports/e1/{key}.mp4?sig=x" if delivered else None, "bytes": 3_240_000 if delivered else 0,
        "width": 1080, "height": 1920, "duration_s": 75.0 if not delivered else 12.0, "checks": checks or [],
        "srt_url": None, "vtt_url": None,
    }  # fmt: skip


def _too_long(label: str) -> dict[str, Any]:
    fix = {"kind": "trim", "seconds": 60, "text": f"{label} takes at most 60 s: trim to 60 s?"}
    return {"name": "duration", "ok": False, "measured": "75.0 s", "limit": "5–60 s", "off_by": "15.0 s too long",
            "fix": fix}  # fmt: skip


def _view(files: list[dict[str, Any]], **over: Any) -> ExportView:
    fixes = [c["fix"] for f in files for c in f["checks"] if c.get("fix") and not c["ok"]]
    return ExportView.model_validate({
        "id": "e1", "creative_id": "c1", "title": "Aurora X", "campaign": "Spring",
        "placements": [f["placement"] for f in files], "trim": False, "status": "succeeded", "progress": 1.0,
        "error": None, "notice": None, "files": files, "zip_url": "/files/exports/e1/export.zip?sig=x",
        "manifest_url": "/files/exports/e1/manifest.json?sig=x", "fixes": list({f["text"]: f for f in fixes}.values()),
        "provenance": VEO, "created_at": "2026-12-06T10:00:00+00:00", **over,
    })  # fmt: skip


def test_the_report_has_a_line_per_placement_the_links_and_the_content_credentials() -> None:
    view = _view(
        [
            _file("reels", "Instagram Reels", True),
            _file("tiktok", "TikTok in-feed", False, [_too_long("TikTok in-feed")]),
        ]
    )
    text = report_text(view)
    head, lines, fix, credentials = text.split("\n\n")
    assert head.startswith("**Exported “Aurora X”** for 1 of 2 placements.")
    assert "[Download all (zip)](/files/exports/e1/export.zip?sig=x)" in head and "[manifest.json](" in head
    assert lines.splitlines() == [
        "- ✓ **Instagram Reels** · 1080x1920 · 12.0 s · 3.2 MB · "
        "[aurora-x-reels.mp4](/files/exports/e1/reels.mp4?sig=x)",
        "- ✗ **TikTok in-feed**: not delivered, duration 75.0 s, 15.0 s too long (takes 5–60 s)",
    ]
    assert fix == "> TikTok in-feed takes at most 60 s: trim to 60 s?"
    assert credentials.startswith(
        "Signed with content credentials: made by Veo 3.1, AI-generated (compositeWithTrainedAlgorithmicMedia)."
    )


def test_one_trim_button_exports_again_the_placements_that_were_too_long() -> None:
    view = _view([
        _file("reels", "Instagram Reels", True),
        _file("tiktok", "TikTok in-feed", False, [_too_long("TikTok in-feed")]),
        _file("shorts", "YouTube Shorts", False, [_too_long("YouTube Shorts")]),
    ])  # fmt: skip
    assert fixed_placements(view) == (["tiktok", "shorts"], "Trim to 60 s and export")
    [button] = fix_actions(view)
    assert button.label == "Trim to 60 s and export"
    assert button.payload == {"creative_id": "c1", "placements": ["tiktok", "shorts"], "trim": True}
    assert fix_actions(_view([_file("reels", "Instagram Reels", True)])) == []


def test_nothing_delivered_and_a_failed_export_say_so() -> None:
    failed = _view(
        [_file("tiktok", "TikTok in-feed", False, [_too_long("TikTok in-feed")])], zip_url=None, status="failed"
    )
    assert report_text(failed).startswith(
        "**“Aurora X” was not exported**: no file passed its checks. [manifest.json]("
    )
    broken = _view([], status="failed", error="The draft could not be drawn.", zip_url=None, manifest_url=None)
    assert report_text(broken) == "The export of *Aurora X* failed: The draft could not be drawn."
    assert all_label(7) == "All seven"
