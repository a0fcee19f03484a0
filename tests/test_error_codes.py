"""Every API error carries a code a program can act on ({"field", "code", "message"}), and
the code is one the operation documents: the common codes (core.errors.Code) and its
app's own (<app>/errors.py), an enum in the OpenAPI schema."""

from __future__ import annotations

import enum
import importlib
import json
import re
from pathlib import Path

import pytest

from escalade.core.errors import Code, Conflict, Invalid, not_one_of

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "openapi" / "schema.json").read_text())
APPS = ["catalog", "incidents", "notices", "problems", "renewals", "reports", "routing"]
APPS += ["telesessions"]

pytestmark = pytest.mark.django_db


def documented_codes(method: str, path: str, status: int) -> set[str]:
    """The codes the committed schema documents for `method path` answering `status`."""
    for template, operations in SCHEMA["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path) and method in operations:
            answer = operations[method]["responses"][str(status)]
            ref = answer["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
            errors = SCHEMA["components"]["schemas"][ref]["properties"]["errors"]
            item = errors["items"]["$ref"].split("/")[-1]
            return set(SCHEMA["components"]["schemas"][item]["properties"]["code"]["enum"])
    raise AssertionError(f"{method} {path} is not in the schema")


def codes_of(r, method: str, path: str) -> list[str]:
    """The answer's codes, each checked against what the operation documents."""
    assert r["Content-Type"].startswith("application/json"), r.content[:200]
    errors = r.json()["errors"]
    assert errors and all(set(e) == {"field", "code", "message"} for e in errors), errors
    codes = [e["code"] for e in errors]
    allowed = documented_codes(method, path, r.status_code)
    assert set(codes) <= allowed, (codes, sorted(allowed))
    return codes


def test_a_missing_a_wrong_and_an_unknown_value_each_say_which(api, body):
    agent = api("level1_agent")
    payload = body(channel="fax", symptom="nope")
    del payload["summary"]
    r = agent.post("/api/incidents", payload)
    assert r.status_code == 422
    by_field = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert by_field == {"summary": "required"}  # the schema's check comes first
    codes_of(r, "post", "/api/incidents")
    r = agent.post("/api/incidents", body(channel="fax", symptom="nope"))
    by_field = {e["field"]: e["code"] for e in r.json()["errors"]}
    assert by_field == {"channel": "not_one_of", "symptom": "unknown_symptom"}
    codes_of(r, "post", "/api/incidents")
    r = agent.post(
        "/api/incidents",
        body(requester={"name": "A", "role": "clinician", "site": "B", "phone": "123"}),
    )
    assert codes_of(r, "post", "/api/incidents") == ["invalid_phone"]


def test_a_move_the_state_does_not_allow_is_a_409_with_its_code(api, body):
    agent = api("level1_agent")
    number = agent.post("/api/incidents", body()).json()["number"]
    path = f"/api/incidents/{number}/close"
    r = agent.post(path, {})
    assert r.status_code == 409
    assert codes_of(r, "post", path) == ["not_allowed_now"]


def test_who_may_not_and_who_is_not_known_get_distinct_codes(api, client, ontario):
    r = api("requester").get("/api/stats", period="2026-P05")
    assert r.status_code == 403 and codes_of(r, "get", "/api/stats") == ["forbidden"]
    r = api("level2_analyst").get("/api/stats", period="2026-P05", institution=ontario.code)
    assert r.status_code == 403 and codes_of(r, "get", "/api/stats") == ["not_a_member"]
    r = client.get("/api/incidents")
    assert r.status_code == 401 and r.json()["errors"][0]["code"] == "unauthenticated"
    r = api("level2_analyst").get("/api/stats", period="2026-P99")
    assert r.status_code == 422 and codes_of(r, "get", "/api/stats") == ["unknown_period"]


def test_errors_found_before_any_view_carry_codes_too(api, body):
    agent = api("level1_agent")
    r = agent.client.post("/api/incidents", "{not json", content_type="application/json")
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "json_invalid"
    r = agent.post("/api/incidents", body(summary="a\u0000b"))
    assert r.json()["errors"][0]["code"] == "nul"
    key = {"HTTP_IDEMPOTENCY_KEY": "k-codes-1"}
    assert agent.post("/api/incidents", body(), **key).status_code == 201
    r = agent.post("/api/incidents", body(summary="Another"), **key)
    assert r.json()["errors"][0]["code"] == "idempotency"


def test_each_app_s_codes_are_an_enum_in_its_operations():
    """Each app's enum reaches the schema: a code the app can answer is one a client
    finds in the operations of that app (and the common codes in every operation)."""
    every = set()
    for name in SCHEMA["components"]["schemas"]:
        if name.endswith("ErrorItem"):
            every |= set(SCHEMA["components"]["schemas"][name]["properties"]["code"]["enum"])
    assert {str(c) for c in Code} <= every
    for app in APPS:
        module = importlib.import_module(f"escalade.{app}.errors")
        enums = [
            v for v in vars(module).values() if isinstance(v, type) and issubclass(v, enum.StrEnum)
        ]
        assert enums, app
        for e in enums:
            missing = {str(m) for m in e} - every
            assert not missing, (app, missing)


def test_a_domain_error_s_code_defaults_from_its_kind():
    assert Invalid("x", field="a").as_errors() == [
        {"field": "a", "code": "invalid", "message": "x"}
    ]
    assert Conflict("y").as_errors()[0]["code"] == "conflict"
    many = Invalid(errors=[("a", "m"), *not_one_of("b", "z", ["x", "y"])]).as_errors()
    assert [e["code"] for e in many] == ["invalid", "not_one_of"]
