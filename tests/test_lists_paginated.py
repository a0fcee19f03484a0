"""Every list of the API answers pages of one shape (core/pagination.py): `items`,
`next`, `count`, `count_exact`, taking `cursor` and `limit`. The one exemption says why."""

import json
from pathlib import Path

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "openapi" / "schema.json").read_text())

# what a workstation shows now: a handful of banners, polled every 10 s by every
# workstation of a hospital during an outage; its answer is what the kiosk draws
EXEMPT = {"/api/broadcasts/current": "the workstations' poll: at most a few current banners"}


def _lists():
    for path, ops in SCHEMA["paths"].items():
        op = ops.get("get")
        if not op:
            continue
        schema = (
            op["responses"].get("200", {}).get("content", {}).get("application/json", {})
        ).get("schema", {})
        yield path, op, schema


def test_every_list_is_a_page_of_one_shape():
    pages, arrays = [], []
    for path, op, schema in _lists():
        if schema.get("type") == "array":
            arrays.append(path)
            continue
        ref = schema.get("$ref", "").rsplit("/", 1)[-1]
        if ref.endswith("Page"):
            page = SCHEMA["components"]["schemas"][ref]
            assert set(page["properties"]) == {"items", "next", "count", "count_exact"}, path
            params = {p["name"] for p in op.get("parameters", [])}
            assert {"cursor", "limit"} <= params, path
            pages.append(path)
    assert sorted(arrays) == sorted(EXEMPT)
    assert len(pages) >= 20
