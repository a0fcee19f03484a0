"""Every input and output schema of the API has a name of its own: two apps' `StepOut`
would share one entry of the OpenAPI document, and one app's operations would be
documented with the other's fields. (Query schemas are flattened into parameters.) And
every coded field of an answer says its values (an enum)."""

import importlib
import inspect
import json
import pkgutil
import re
from collections import Counter
from pathlib import Path

from ninja import Schema

import escalade


def test_schema_names_are_unique_across_apps():
    defined = []
    for app in pkgutil.iter_modules(escalade.__path__):
        for name in ("api", "stats_api", "schemas"):
            try:
                module = importlib.import_module(f"escalade.{app.name}.{name}")
            except ModuleNotFoundError:
                continue
            defined += [
                cls.__name__
                for _n, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, Schema)
                and cls.__module__ == module.__name__
                and not cls.__name__.endswith("Query")
            ]
    assert len(defined) > 50
    assert [n for n, k in Counter(defined).items() if k > 1] == []


def test_operation_ids_are_function_names_unique_and_free_of_module_paths():
    """Clients generate their methods from the operation ids: `alertmanager_webhook`,
    not `escalade_runbooks_api_alertmanager`, so that moving code between modules does
    not rename a client's method."""
    from escalade.config.api import api

    ids = [
        op["operationId"]
        for ops in api.get_openapi_schema(path_prefix="/api/")["paths"].values()
        for op in ops.values()
    ]
    assert len(ids) > 90
    assert [i for i, k in Counter(ids).items() if k > 1] == []
    assert [i for i in ids if i.startswith("escalade") or "_api_" in i] == []
    assert {"alertmanager_webhook", "create_incident", "close_outage"} <= set(ids)


SCHEMA = json.loads((Path(__file__).parents[1] / "openapi" / "schema.json").read_text())

# Coded fields of the answers whose values are free on purpose, each with its reason.
FREE_CODES = {
    "NoticeOut.impact": "the notice's text of its impact, in both languages",
    "ProtocolStepOut.role": "what the step asks of whom, in words (the pack's labels)",
}
CODED = re.compile(
    r"^(state|status|kind|severity|level|from_level|to_level|channel|role|assignee_role|"
    r"direction|via|phase|priority|language|impact|urgency|decision|type|action|"
    r"recommendation|partner_kind)$"
)


def test_every_coded_field_of_an_answer_says_its_values():
    """A client (and the fuzzer) knows every value a state, a kind or a level can take."""
    schemas = SCHEMA["components"]["schemas"]
    missing = []
    for name, schema in schemas.items():
        if name.endswith(("In", "Patch", "Query", "Filters")):  # what a client sends
            continue
        for field, prop in schema.get("properties", {}).items():
            if not CODED.match(field) or f"{name}.{field}" in FREE_CODES:
                continue
            options = [prop, *prop.get("anyOf", [])]
            if not any("enum" in o or "$ref" in o for o in options):
                missing.append(f"{name}.{field}")
    assert missing == [], missing
