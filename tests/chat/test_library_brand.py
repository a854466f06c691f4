"""A library card names the brand kit versions its creative was made with, and nothing for one made without."""

from __future__ import annotations

from chat.library import library_props
from tools.studio.types import BrandVersion, CampaignView, CreativeView, LibraryView


def _creative(cid: str, version: BrandVersion | None) -> CreativeView:
    return CreativeView.model_construct(
        id=cid, title="Kite", aspect="9:16", width=720, height=1280, duration_s=2.0, model="draft", campaign="Spring",
        actual_cost_usd=None, estimated_cost_usd=0.0, made_by="alice", created_at="2026-12-06T01:00:00+00:00",
        url="u", poster_url=None, download_url="d", brand_version=version, sound=None, captions_srt_url=None,
        captions_vtt_url=None, review_status="draft",
    )  # fmt: skip


def test_each_card_names_its_kit_versions() -> None:
    spring = CampaignView(id="c" * 32, name="Spring", created_at="2026-12-06T00:00:00+00:00", creatives=3, spend_usd=0)
    made = [
        _creative("a", BrandVersion(team=3, campaign=2)),
        _creative("b", BrandVersion(team=1)),
        _creative("c", None),
    ]
    props = library_props(LibraryView(campaigns=[spring], creatives=made, deletable=[]), None, 0)
    assert [card["brand"] for card in props["campaigns"][0]["items"]] == [
        "team kit v3 + campaign kit v2", "team kit v1", ""]  # fmt: skip
