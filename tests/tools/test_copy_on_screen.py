"""Copy the draft cannot show legibly is refused before anything is made, naming the field: a headline too long
to read at 36 px a 1080-wide frame (it shrank to 20 px at 720 wide), and emoji, which no font here draws (they
were dropped without a word). The limit depends on the format: a wide frame takes more."""

from __future__ import annotations

import pytest

from campaign.errors import InvalidRequest
from campaign.people import LOCAL_OWNER as OWNER
from tools.jobs import VideoRequest

LONG = "Our brand new ultra light running sneaker with recycled knit upper is finally here for the whole summer season"


@pytest.mark.render
async def test_a_headline_too_long_to_read_is_refused_with_its_limit(studio) -> None:  # noqa: ANN001
    with pytest.raises(InvalidRequest) as refused:
        await studio.jobs.submit(OWNER, VideoRequest(prompt="a sneaker ad", aspect="9:16", copy={"headline": LONG}))
    said = str(refused.value)
    assert said.startswith("The headline is too long to read in a 9:16 video: keep it to about ")
    limit = int(said.split("about ")[1].split(" ")[0])
    assert 60 <= limit < len(LONG) and f"(it has {len(LONG)})" in said
    assert await studio.jobs.jobs(OWNER) == []
    fits = await studio.jobs.submit(OWNER, VideoRequest(prompt="a sneaker ad", aspect="9:16", duration_s=2,
                                                   copy={"headline": LONG[:limit]}))  # fmt: skip
    wide = await studio.jobs.submit(OWNER, VideoRequest(prompt="a sneaker ad", aspect="16:9", duration_s=2,
                                                   copy={"headline": LONG}))  # fmt: skip
    for submitted in (fits, wide):
        assert (await studio.jobs.wait(OWNER, submitted.job_id)).status == "succeeded"


@pytest.mark.render
async def test_an_emoji_in_the_copy_is_refused_naming_the_field(studio) -> None:  # noqa: ANN001
    for copy, field in (({"headline": "Summer sale 🎉"}, "headline"), ({"features": ["Light", "Fast 👟"]}, "feature 2"),
                        ({"cta": "Shop now ➡️"}, "call to action")):  # fmt: skip
        with pytest.raises(InvalidRequest) as refused:
            await studio.jobs.submit(OWNER, VideoRequest(prompt="a sneaker ad", copy=copy))
        assert str(refused.value).startswith(f"The {field} has "), refused.value
        assert "which the video cannot draw: remove it or say it in words." in str(refused.value)
    words = {"headline": "Été 2026 — Café crème", "price": "€129"}
    accented = await studio.jobs.submit(OWNER, VideoRequest(prompt="a sneaker ad", duration_s=2, copy=words))
    assert (await studio.jobs.wait(OWNER, accented.job_id)).status == "succeeded"
