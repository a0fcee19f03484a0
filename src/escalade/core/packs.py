"""The pack loader: an institution's folder of YAML files, validated then loaded.

Each app registers the files it owns (a pydantic schema and an `apply` function)
in its AppConfig.ready(). Loading validates every file first; errors name the
file, the line and the field. Then everything is written in one transaction.
Loading the same pack twice changes nothing (its digest is recorded); loading a
new version updates rows in place and never deletes what incidents refer to."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from . import audit
from .choices import AuditAction
from .models import Institution


class PackError(Exception):
    """A pack that cannot be loaded; `problems` is a list of (file, line, field, message)."""

    def __init__(self, problems: list[tuple[str, int | None, str, str]]):
        self.problems = problems
        super().__init__("\n".join(self.format_lines()))

    def format_lines(self) -> list[str]:
        out = []
        for file, line, field, message in self.problems:
            where = f"{file}:{line}" if line else file
            out.append(f"{where}: {field}: {message}" if field else f"{where}: {message}")
        return out


class Labels(BaseModel):
    """A text in both languages of the product."""

    model_config = ConfigDict(extra="forbid")
    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)


Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]


class HolidaysSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str = Field(min_length=2, max_length=2)
    subdivision: str = ""


class InstitutionFile(BaseModel):
    """institution.yaml"""

    model_config = ConfigDict(extra="forbid")
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,39}$")
    name: Labels
    timezone: str
    request_prefix: str = Field(pattern=r"^[A-Z0-9]{1,10}$")
    ticket_prefix: str = Field(pattern=r"^[A-Z0-9]{1,10}$")
    holidays: HolidaysSpec
    settings: dict[str, Any] = {}

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"unknown time zone '{value}' (an IANA name such as America/Montreal)")
        return value


def once_each(values, what: str) -> None:
    """A pack validator's check that no code is given twice: ValueError naming the first
    repeated one ("mailbox code 'cct' appears twice")."""
    seen = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{what} '{value}' appears twice")
        seen.add(value)


@dataclass
class Section:
    filename: str
    schema: type[BaseModel]
    apply: Callable[[Institution, BaseModel, dict], None]
    required: bool = True


_SECTIONS: list[Section] = []


def register(
    filename: str,
    schema: type[BaseModel],
    apply: Callable[[Institution, BaseModel, dict], None],
    required: bool = True,
) -> None:
    """Register a pack file owned by an app (called from AppConfig.ready())."""
    if any(s.filename == filename for s in _SECTIONS):
        return
    _SECTIONS.append(Section(filename, schema, apply, required))


_PREPARE: list[Callable[[], None]] = []


def before_loading(prepare: Callable[[], None]) -> None:
    """Something to do before any pack loads (accounts: the roles' groups exist)."""
    if prepare not in _PREPARE:
        _PREPARE.append(prepare)


def sections() -> list[Section]:
    return list(_SECTIONS)


# -- the institution's settings: one typed key per app ------------------------------


@dataclass
class Setting:
    name: str
    kind: Any
    default: Any
    owner: str
    adapter: TypeAdapter


_SETTINGS: dict[str, Setting] = {}


def declare_setting(name: str, kind: Any, default: Any = None, *, owner: str) -> None:
    """An app declares one key of the institution's settings: its type (a pydantic model
    or any type pydantic checks) and its default. The `settings:` of institution.yaml are
    checked against these (an undeclared key or a wrong value is an error naming it); an
    app that fills its key from its own pack file writes it with write_setting."""
    if name in _SETTINGS and _SETTINGS[name].owner != owner:
        raise ValueError(f"setting '{name}' is already declared by {_SETTINGS[name].owner}")
    _SETTINGS[name] = Setting(name, kind, default, owner, TypeAdapter(kind))


def declared_settings() -> list[Setting]:
    return sorted(_SETTINGS.values(), key=lambda s: s.name)


# (institution, setting) -> (the raw value validated, its validated value): validating a
# setting on every request cost more than comparing it with the one validated last
_VALIDATED: dict[tuple[int | None, str], tuple[Any, Any]] = {}


def setting_of(institution: Institution, name: str) -> Any:
    """The institution's setting `name` as its declared type (validated), or its default.
    Read-only: the value is shared by the requests that read the same setting."""
    setting = _SETTINGS[name]
    raw = (institution.settings or {}).get(name)
    if raw is None:
        return setting.default
    key = (institution.pk, name)
    hit = _VALIDATED.get(key)
    if hit is not None and hit[0] == raw:
        return hit[1]
    value = setting.adapter.validate_python(raw)
    _VALIDATED[key] = (copy.deepcopy(raw), value)
    return value


def write_setting(institution: Institution, name: str, value: Any) -> None:
    """Write the setting `name` an app fills from its own pack file (checked against its
    declared type), saving the institution only when it changed."""
    adapter = _SETTINGS[name].adapter
    plain = adapter.dump_python(adapter.validate_python(value), mode="json")
    settings = dict(institution.settings or {})
    if settings.get(name) != plain:
        settings[name] = plain
        institution.settings = settings
        institution.save(update_fields=["settings"])


def sync(model, within: dict, rows, *, key: str | tuple = "code", retire=None) -> list:
    """Upsert by code, the way every app loads its rows from its pack file: each
    (code, values) of `rows` becomes the row of that code `within` its owner
    ({"institution": inst}, {"provider": p}), created or updated to these values. `key`
    names the code's field (a tuple of fields: the code is a tuple). The owner's rows the
    pack no longer names get the values of `retire` ({"active": False}: never deleted,
    other rows refer to them), or are left alone when `retire` is None. Returns the
    rows saved, in the pack's order."""
    saved, codes = [], []
    for code, values in rows:
        lookup = dict(zip(key, code, strict=True)) if isinstance(key, tuple) else {key: code}
        row, _created = model.objects.update_or_create(**within, **lookup, defaults=values)
        saved.append(row)
        codes.append(code)
    if retire is not None:
        if isinstance(key, tuple):
            raise ValueError("rows keyed by several fields are not retired")
        gone = model.objects.filter(**within).exclude(**{f"{key}__in": codes})
        gone.update(**retire)
    return saved


def _settings_problems(settings: dict, node) -> list:
    """The problems of institution.yaml's `settings:` against the declared settings."""
    problems = []
    for key, value in (settings or {}).items():
        where = ("settings", key)
        if key not in _SETTINGS:
            known = ", ".join(sorted(_SETTINGS))
            message = f"unknown setting '{key}' (known: {known})"
            problems.append(("institution.yaml", line_of(node, where), "settings." + key, message))
            continue
        try:
            _SETTINGS[key].adapter.validate_python(value)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (*where, *err["loc"])
                problems.append(
                    ("institution.yaml", line_of(node, loc), _field_name(loc), err["msg"])
                )
    return problems


# -- YAML with line numbers --------------------------------------------------

# libyaml's parser where PyYAML was built with it (the wheels are): the same safe
# loading, about ten times faster than the pure-Python one
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path):
    """Return (data, root node) of a YAML file; raises PackError on a syntax error."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:  # parsed once: the nodes (their lines, for errors), then the data made from them
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise PackError([(path.name, line, "", f"invalid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return data, node


def line_of(node, loc: tuple) -> int | None:
    """The line of the deepest node found along `loc` (a pydantic error location)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == str(part)), None)
            if match is None:
                key = next((k for k, v in node.value if k.value == str(part)), None)
                return key.start_mark.line + 1 if key is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                return line
            node = node.value[part]
        else:
            return line
        line = node.start_mark.line + 1
    return line


def _field_name(loc: tuple) -> str:
    return ".".join(str(p) for p in loc)


@dataclass
class Validated:
    institution: InstitutionFile
    files: dict[str, BaseModel]
    digest: str


def _files() -> list[Section]:
    return [Section("institution.yaml", InstitutionFile, lambda *a: None), *_SECTIONS]


def pack_digest(path: str | Path) -> str:
    """The digest of a pack's files as the loader reads them (names and bytes)."""
    digest = hashlib.sha256()
    for section in _files():
        file = Path(path) / section.filename
        if file.exists():
            digest.update(section.filename.encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def validate_pack(path: str | Path) -> Validated:
    """Read and validate every file of the pack at `path`; raise PackError listing all problems."""
    root = Path(path)
    if not root.is_dir():
        raise PackError([(str(root), None, "", "not a pack folder")])
    problems: list[tuple[str, int | None, str, str]] = []
    parsed: dict[str, BaseModel] = {}
    for section in _files():
        file = root / section.filename
        if not file.exists():
            if section.required:
                problems.append((section.filename, None, "", "file is missing"))
            continue
        try:
            data, node = _read_yaml(file)
        except PackError as exc:
            problems.extend(exc.problems)
            continue
        try:
            parsed[section.filename] = section.schema.model_validate(data or {})
            if section.schema is InstitutionFile:
                problems.extend(_settings_problems(parsed[section.filename].settings, node))
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                problems.append(
                    (section.filename, line_of(node, loc), _field_name(loc), err["msg"])
                )
    if not problems:
        problems.extend(_cross_check(parsed))
    if problems:
        raise PackError(problems)
    return Validated(parsed.pop("institution.yaml"), parsed, pack_digest(root))


_CROSS_CHECKS: list[Callable[[dict[str, BaseModel]], list]] = []


def register_cross_check(check: Callable[[dict[str, BaseModel]], list]) -> None:
    """A check across files, returning (file, line, field, message) problems."""
    if check not in _CROSS_CHECKS:
        _CROSS_CHECKS.append(check)


def _cross_check(parsed: dict[str, BaseModel]) -> list:
    out = []
    for check in _CROSS_CHECKS:
        out.extend(check(parsed))
    return out


@dataclass
class LoadResult:
    institution: Institution
    changed: bool


def load_pack(path: str | Path, actor=None) -> LoadResult:
    """Validate then load the pack at `path` in one transaction. Idempotent: a pack
    already loaded as it is now (same digest) is not read again."""

    if Path(path).is_dir():
        same = Institution.objects.filter(pack_digest=pack_digest(path)).first()
        if same is not None:
            return LoadResult(same, changed=False)
    v = validate_pack(path)
    for prepare in _PREPARE:
        prepare()
    spec = v.institution
    with transaction.atomic():
        inst = Institution.objects.select_for_update().filter(code=spec.code).first()
        if inst is not None and inst.pack_digest == v.digest:
            return LoadResult(inst, changed=False)
        values = {
            "name": spec.name.model_dump(),
            "timezone": spec.timezone,
            "request_prefix": spec.request_prefix,
            "ticket_prefix": spec.ticket_prefix,
            "holiday_country": spec.holidays.country,
            "holiday_subdivision": spec.holidays.subdivision,
            "settings": spec.settings,
            "pack_path": str(path),
            "pack_digest": v.digest,
        }
        created = inst is None
        if created:
            inst = Institution.objects.create(code=spec.code, **values)
            changes = {}
        else:
            changes = audit.diff(inst, **values)
            inst.save(update_fields=list(changes))
        ctx: dict = {}
        for section in _SECTIONS:
            if section.filename in v.files:
                section.apply(inst, v.files[section.filename], ctx)
        audit.record(
            action=AuditAction.PACK_LOADED,
            obj=inst,
            actor=actor,
            institution=inst,
            changes={k: c for k, c in changes.items() if k != "pack_digest"},
            data={"path": str(path), "digest": v.digest, "created": created},
        )
    return LoadResult(inst, changed=True)


# the settings of the kernel itself
declare_setting("closures", list[dt.date], [], owner="core")  # days the institution is closed
declare_setting("language_tags", dict[str, str], {}, owner="core")  # {"fr": "fr-CA"}
declare_setting("network", Labels, None, owner="core")  # the health network it belongs to
