"""`/api/brand` and `/api/campaigns/{id}/brand`: a multipart PUT changes a kit, members are refused the team's,
another team's campaign is not found, and what a kit cannot take is refused with why."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.conftest import bearer, png_bytes

FONT = Path(__file__).parents[2] / "tools" / "fonts" / "RedHatDisplay-Bold.ttf"
SCRIPTED_SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


async def _admin(api: httpx.AsyncClient) -> dict[str, str]:
    from chat import runtime

    studio = runtime.services().studio
    await studio.accounts.add("erin", team="acme", password=None, admin=True)
    await studio.accounts.add("carol", team="globex", password=None)
    return await bearer(studio, "erin")


async def test_admins_set_the_team_kit_members_a_campaigns(api: httpx.AsyncClient) -> None:
    erin = await _admin(api)
    refused = await api.put("/api/brand", data={"cta": "Shop now"})
    assert refused.status_code == 403 and "Only an admin" in refused.json()["detail"]
    logo = ("logo.png", png_bytes((200, 100), (0, 0, 0, 0), mode="RGBA"), "image/png")
    font = ("Display.ttf", FONT.read_bytes(), "font/ttf")
    done = await api.put("/api/brand", data={"colors": "#0A2540,#FF5A1F", "cta": "Shop now"},
                         files={"logo": logo, "font": font}, headers=erin)  # fmt: skip
    assert done.status_code == 200, done.text
    kit = done.json()
    assert kit["label"] == "team kit v1" and kit["effective"]["fonts"][0]["family"] == "Red Hat Display"
    assert set(kit["files"]) == {kit["effective"]["logo"], kit["effective"]["fonts"][0]["key"]}
    spring = (await api.post("/api/campaigns", json={"name": "Spring"})).json()
    mine = await api.put(f"/api/campaigns/{spring['id']}/brand", data={"cta": "Spring deals", "clear": "font"})
    assert mine.status_code == 200, mine.text
    shown = (await api.get(f"/api/campaigns/{spring['id']}/brand")).json()
    assert shown["label"] == "team kit v1 + campaign kit v1" and shown["effective"]["cta"] == "Spring deals"
    assert shown["effective"]["colors"][0]["hex"] == "#0A2540" and (await api.get("/api/brand")).status_code == 200


async def test_other_teams_no_token_and_what_a_kit_cannot_take(api: httpx.AsyncClient) -> None:
    await _admin(api)
    from chat import runtime

    carol = await bearer(runtime.services().studio, "carol")
    spring = (await api.post("/api/campaigns", json={"name": "Spring"})).json()
    for method in ("GET", "PUT"):
        theirs = await api.request(method, f"/api/campaigns/{spring['id']}/brand", data={"cta": "x"}, headers=carol)
        assert theirs.status_code == 404, theirs.text
        for path in ("/api/brand", f"/api/campaigns/{spring['id']}/brand"):
            assert (await api.request(method, path, headers={"Authorization": ""})).status_code == 401
    where = f"/api/campaigns/{spring['id']}/brand"
    not_font = await api.put(where, files={"font": ("Inter.ttf", png_bytes((40, 40)), "font/ttf")})
    assert not_font.status_code == 422 and "is a PNG image, not a TTF or OTF font" in not_font.json()["detail"]
    svg = await api.put(where, files={"logo": ("logo.svg", SCRIPTED_SVG, "image/svg+xml")})
    assert svg.status_code == 422 and "is an SVG with a script in it" in svg.json()["detail"]
    for refused in ({"cta": "x" * 121}, {"clear": "everything"}, {"favourite": "x"}, {}):
        assert (await api.put(where, data=refused)).status_code == 422, refused
    as_text = await api.put(where, data={"logo": "aurora.png"})
    assert as_text.status_code == 422 and as_text.json()["detail"].startswith("Send `logo` as a file, not as text.")
    stray = await api.put(where, files={"banner": ("b.png", png_bytes((4, 4)), "image/png")})
    assert stray.status_code == 422 and "`banner` is not a file a brand kit takes" in stray.json()["detail"]
    huge = await api.put(where, headers={"Content-Length": str(1 << 30), "Content-Type": "multipart/form-data"})
    assert huge.status_code == 413 and huge.json()["detail"].startswith("The form is larger than")
    assert (await api.get(where)).json()["version"] is None  # nothing was written
