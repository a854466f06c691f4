"""NaN, Infinity, a lone surrogate, NUL, a C1 control and noncharacters in every text field of every REST body
(read from the API's own schema, so new fields are covered too), and in query parameters: 422 on SQLite and
PostgreSQL alike, and nothing written."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import bearer, make_settings
from tests.e2e.chainlit_server import app_client

HOSTILE = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "lone surrogate": '"a\\ud800b"',
    "NUL": '"a\\u0000b"',
    "C1 control": '"a\\u009bb"',
    "noncharacter": '"a\\ufdd0b"',
    "astral noncharacter": '"a\\ud83f\\udfffb"',
}
SLOT = "__hostile__"
BODIES = {  # each route with a JSON body, and the least it needs besides the field under test
    ("post", "/api/video/generate"): {"prompt": "a kite"},
    ("post", "/api/video/examples/social-media"): {"prompt": "a kite"},
    ("post", "/api/campaigns"): {"name": "Spring"},
    ("patch", "/api/creatives/" + "a" * 32): {"title": "Kite"},
}


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    from chat import runtime

    async with app_client(make_settings(tmp_path / "data", database_url=database_url)) as client:
        studio = runtime.services().studio
        await studio.accounts.add("alice", team="acme", password="alice-password")
        client.headers.update(await bearer(studio, "alice"))
        yield client


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def text_slots(schema: dict[str, Any], components: dict[str, Any], path: tuple = ()) -> Iterator[tuple]:
    """Every place in a body where the schema takes a string: property paths, list items, map keys and values."""
    schema = _resolve(schema, components)
    for option in schema.get("anyOf", []):
        yield from text_slots(option, components, path)
    kind = schema.get("type")
    if kind == "string":
        yield path
    elif kind == "array":
        yield from text_slots(schema.get("items", {}), components, (*path, 0))
    elif kind == "object":
        for name, sub in schema.get("properties", {}).items():
            yield from text_slots(sub, components, (*path, name))
        values = [schema["additionalProperties"]] if isinstance(schema.get("additionalProperties"), dict) else []
        values += list(schema.get("patternProperties", {}).values())
        for sub in values[:1]:
            yield (*path, "<key>")
            yield from text_slots(sub, components, (*path, "headline"))


def body_with(base: dict[str, Any], path: tuple) -> dict[str, Any]:
    """`base` with the slot at `path` holding the placeholder (its containers created as needed)."""
    body: Any = json.loads(json.dumps(base))
    node = body
    for step, after in zip(path, path[1:], strict=False):
        fresh: Any = [] if after == 0 else {}
        if isinstance(node, dict):
            node = node.setdefault(step, fresh)
        else:
            node.append(fresh)
            node = fresh
    if path[-1] == "<key>":
        node[SLOT] = "x"
    elif isinstance(node, list):
        node.append(SLOT)
    else:
        node[path[-1]] = SLOT
    return body


async def test_hostile_text_is_refused_everywhere_with_422_and_writes_nothing(api: httpx.AsyncClient) -> None:
    schema = (await api.get("/api/openapi.json")).json()
    components = schema["components"]["schemas"]
    tried = 0
    for (method, path), base in BODIES.items():
        template = path.replace("social-media", "{template}").replace("a" * 32, "{creative_id}").removeprefix("/api")
        operation = schema["paths"][template][method]
        body_schema = operation["requestBody"]["content"]["application/json"]["schema"]
        slots = list(text_slots(body_schema, components))
        assert slots, (method, path)
        for slot in slots:
            text = json.dumps(body_with(base, slot))
            for what, token in HOSTILE.items():
                response = await api.request(method, path, content=text.replace(f'"{SLOT}"', token),
                                             headers={"Content-Type": "application/json"})  # fmt: skip
                assert response.status_code == 422, (method, path, slot, what, response.text)
                assert response.json()["detail"] and "\\ud800" not in response.text
                tried += 1
    for query in ("campaign=a%00b", "campaign=a%07b", "campaign=a%C2%85b", "campaign=%EF%BF%BE", "status=%00"):
        for route in ("/api/jobs", "/api/creatives"):
            if "status" in query and route == "/api/creatives":
                continue
            response = await api.get(f"{route}?{query}")
            assert response.status_code == 422, (route, query, response.text)
    assert (await api.post("/api/webhooks/replicate?job=a%00b", content=b"{}")).status_code == 422
    print(f"{tried} hostile bodies refused")
    assert tried >= 4 * 12
    assert (await api.get("/api/jobs")).json() == []
    assert (await api.get("/api/campaigns")).json() == []
