"""MkDocs hooks: the pages read from the code when the site is built, so that they
cannot drift from it. The API reference comes from the committed OpenAPI document, the
pack reference from the schemas the pack loader validates against, the list of events,
panels and search finders from the registries the apps fill, and the layers from the
import-linter contract that `make test` enforces."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import tomllib
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent


def _django():
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "escalade.config.settings")
    import django  # noqa: PLC0415 (the site builds without Django until a page needs it)

    django.setup()


def _cell(text) -> str:
    return str(text or "").replace("|", "\\|").replace("\n", " ")


# -- the API reference ------------------------------------------------------------------


def _schema_name(ref: dict | None) -> str:
    if not ref:
        return "—"
    if "$ref" in ref:
        return f"`{ref['$ref'].rsplit('/', 1)[-1]}`"
    if ref.get("type") == "array" and "items" in ref:
        return f"list of {_schema_name(ref['items'])}"
    return f"`{ref.get('type', 'object')}`"


def api_reference() -> str:
    spec = json.loads((ROOT / "openapi" / "schema.json").read_text(encoding="utf-8"))
    by_tag: dict[str, list] = {}
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            by_tag.setdefault((op.get("tags") or ["other"])[0], []).append((path, method, op))
    out = [
        "# API reference",
        "",
        "Generated from `openapi/schema.json` when this site is built. Every operation "
        "answers errors as described in [the API](index.md#errors); the codes each may "
        "answer are listed in the schema.",
        "",
    ]
    for tag in sorted(by_tag):
        out += [f"## {tag}", ""]
        for path, method, op in sorted(by_tag[tag], key=lambda o: (o[0], o[1])):
            out += [f"### `{method.upper()} {path}`", "", op.get("summary", ""), ""]
            out += [f"Operation id: `{op['operationId']}`.", ""]
            params = op.get("parameters") or []
            if params:
                out += ["| parameter | in | required | type |", "|---|---|---|---|"]
                for p in params:
                    kind = p.get("schema", {}).get("type", "")
                    enum = p.get("schema", {}).get("enum")
                    if enum:
                        kind = " / ".join(f"`{e}`" for e in enum)
                    out.append(
                        f"| `{p['name']}` | {p['in']} | {'yes' if p.get('required') else 'no'} "
                        f"| {_cell(kind)} |"
                    )
                out.append("")
            body = op.get("requestBody", {}).get("content", {})
            for media, content in body.items():
                out += [f"Body ({media}): {_schema_name(content.get('schema'))}.", ""]
            answers = []
            for status, resp in sorted(op.get("responses", {}).items()):
                schema = (resp.get("content") or {}).get("application/json", {}).get("schema")
                answers.append(f"`{status}` {_schema_name(schema) if schema else ''}".strip())
            out += ["Answers: " + ", ".join(answers) + ".", ""]
    return "\n".join(out)


# -- the pack reference -----------------------------------------------------------------


def _type_of(prop) -> str:
    if not isinstance(prop, dict):
        return "any"
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in prop:
        return " or ".join(_type_of(p) for p in prop["anyOf"])
    if prop.get("type") == "array":
        return f"list of {_type_of(prop.get('items', {}))}"
    if prop.get("type") == "object" and "additionalProperties" in prop:
        return f"map to {_type_of(prop['additionalProperties'])}"
    if "enum" in prop:
        return " / ".join(f"`{e}`" for e in prop["enum"])
    return prop.get("type", "any")


def _fields(schema: dict) -> list[str]:
    required = set(schema.get("required", []))
    rows = ["| field | type | required | default |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        default = prop.get("default", "")
        rows.append(
            f"| `{name}` | {_cell(_type_of(prop))} | {'yes' if name in required else 'no'} "
            f"| {_cell(json.dumps(default, ensure_ascii=False) if default != '' else '')} |"
        )
    return rows


def pack_reference() -> str:
    _django()
    from escalade.core.packs import (  # noqa: PLC0415 (after setup)
        InstitutionFile,
        declared_settings,
        sections,
    )

    out = [
        "# Pack reference",
        "",
        "Generated from the schemas the pack loader validates against, when this site is "
        "built. A pack is a folder; each file below is optional unless it says required.",
        "",
    ]
    files = [("institution.yaml", InstitutionFile, True)] + [
        (s.filename, s.schema, s.required) for s in sections()
    ]
    for filename, schema, required in files:
        spec = schema.model_json_schema()
        out += [f"## `{filename}`", "", "Required." if required else "Optional.", ""]
        if schema.__doc__:
            out += [" ".join(schema.__doc__.split()), ""]
        out += _fields(spec) + [""]
        for name, sub in sorted(spec.get("$defs", {}).items()):
            if sub.get("properties"):
                out += [f"### {name}", ""]
                if sub.get("description"):
                    out += [" ".join(sub["description"].split()), ""]
                out += _fields(sub) + [""]
        if filename == "institution.yaml":
            out += _settings(declared_settings())
    return "\n".join(out)


def _settings(declared) -> list[str]:
    """The keys of institution.yaml's `settings:`, each typed by the app that reads it."""
    out = [
        "### The settings",
        "",
        "Each key of `settings:` is declared by the app that reads it, with its type; an "
        "unknown key or a wrong value stops the pack. The keys an app fills from its own file "
        "(the protocol from `protocol.yaml`...) are listed too: they are not written by hand.",
        "",
        "| key | app | type | default |",
        "|---|---|---|---|",
    ]
    for s in declared:
        schema = s.adapter.json_schema()
        kind = schema.get("title") if "properties" in schema else _type_of(schema)
        default = (
            s.default.model_dump(mode="json") if hasattr(s.default, "model_dump") else s.default
        )
        shown = json.dumps(default, ensure_ascii=False) if default not in (None, "", [], {}) else ""
        out.append(f"| `{s.name}` | {s.owner} | {_cell(kind or 'object')} | {_cell(shown)} |")
    return out + [""]


# -- events, panels, finders, layers ----------------------------------------------------


def extension_points() -> str:
    _django()
    from escalade.core import events, panels, search  # noqa: PLC0415 (after setup)

    out = [
        "# Events and extension points",
        "",
        "Read from the registries when this site is built. See "
        "[Architecture](architecture.md) for how to publish and subscribe.",
        "",
        "## Domain events",
        "",
        "| event | declared in | payload | webhook name | subscribers |",
        "|---|---|---|---|---|",
    ]
    for name, cls in events.declared().items():
        fields = ", ".join(f"`{f.name}`" for f in dataclasses.fields(cls))
        who = ", ".join(f"`{h.__module__}.{h.__name__}`" for h in events.subscribers(cls))
        out.append(
            f"| `{name}` | `{cls.__module__}` | {fields} | {cls.hook or '—'} | {who or '—'} |"
        )
    every = events.subscribers(None)
    out += [
        "",
        "Subscribed to every event: "
        + (", ".join(f"`{h.__module__}.{h.__name__}`" for h in every) or "—"),
        "",
        "## Panels",
        "",
        "| page | panel | place | template | from |",
        "|---|---|---|---|---|",
    ]
    for page in ("incident", "wallboard"):
        for p in panels.registered(page):
            out.append(
                f"| {page} | `{p.name}` | {p.place} | `{p.template}` | `{p.context.__module__}` |"
            )
    out += ["", "## Search finders", "", "| finder | from |", "|---|---|"]
    for name, finder in search.finders().items():
        out.append(f"| `{name}` | `{finder.__module__}.{finder.__name__}` |")
    return "\n".join(out) + "\n"


def layers() -> str:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(
        c for c in config["tool"]["importlinter"]["contracts"] if c.get("type") == "layers"
    )
    return "\n".join(
        f"{i}. {' | '.join(f'`{a.strip()}`' for a in layer.split('|'))}"
        for i, layer in enumerate(contract["layers"], 1)
    )


GENERATED = {
    "api/reference.md": api_reference,
    "packs/reference.md": pack_reference,
    "development/events.md": extension_points,
}


def on_files(files, config):
    for uri, make in GENERATED.items():
        files.append(File.generated(config, uri, content=make()))
    return files


def on_page_markdown(markdown, page, config, files):
    if "<!-- layers -->" in markdown:
        markdown = markdown.replace(
            "<!-- layers -->",
            "From the top (1) to the bottom:\n\n" + layers(),
        )
    return markdown
