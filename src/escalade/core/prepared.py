"""Statements of the intake hot path, built once per process.

The ORM composes a statement's SQL again on every call: on the 2-core machine of
docs/benchmarks.md that costs 0.3-1.2 ms a statement, more than SQLite takes to run it,
and an intake makes a dozen. These helpers keep the SQL text per model and shape and bind
new values on each call. The model stays the one source of truth: columns, defaults,
`pre_save`, the conversions to and from the database are the model fields' own, as in
`bulk_create` and the ORM's reads. Like `bulk_create`, `insert` sends no model signals
(no model of this project listens to any)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from functools import cache

from django.conf import settings
from django.db import connections, models


def _db(using: str | None):
    return connections[using or "default"]


def placeholders(n: int) -> str:
    """`%s, %s, ...` for an IN list of n bound values."""
    return ", ".join(["%s"] * n)


@cache
def _insert_sql(model: type[models.Model], rows: int, alias: str, keys: bool) -> tuple[str, list]:
    """The INSERT of `rows` rows (with RETURNING the keys when `keys`), and one writer
    per field and row position (see `_writers`)."""
    connection = connections[alias]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if f is not opts.pk or not f.auto_created]
    if any(hasattr(f, "get_placeholder") for f in fields):  # pragma: no cover - none here
        raise TypeError(f"{model.__name__} has a field with its own placeholder")
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    one = f"({placeholders(len(fields))})"
    returning = connection.ops.return_insert_columns([opts.pk])[0] if keys else ""
    sql = (
        f"INSERT INTO {qn(opts.db_table)} ({columns}) VALUES {', '.join([one] * rows)} {returning}"
    )
    return sql.rstrip(), _writers(fields, connection)


def insert(objs: Sequence[models.Model], using: str | None = None, keys: bool = True) -> None:
    """Insert new rows of one model in one statement and set their primary keys (with
    keys=False the keys are not read back and stay None: inside `batched()` the statement
    then goes with the next one that needs an answer)."""
    if not objs:
        return
    connection = _db(using)
    model = type(objs[0])
    if not settings.ESCALADE_RAW_SQL or (
        keys and not connection.features.can_return_rows_from_bulk_insert
    ):
        # The ORM's own path (ESCALADE_RAW_SQL=0, or a database without INSERT ...
        # RETURNING): it sets the keys where the database can.
        model._base_manager.using(connection.alias).bulk_create(objs)
        return
    sql, writers = _insert_sql(model, len(objs), connection.alias, keys)
    with connection.cursor() as cursor:
        cursor.execute(sql, [write(obj) for obj in objs for write in writers])
        if not keys:
            return
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias


# Field classes whose value goes to the database as it is when it already has the
# database's own type (str; int or bool): the conversions would hand it back unchanged.
_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.ForeignKey: int,
    models.OneToOneField: int,
}


def _writers(fields: list, connection) -> list:
    """One function per field: the object's value as the database takes it, as
    `pre_save` and `get_db_prep_save` make it, skipping the calls that would change
    nothing (the value of a plain field already of the database's type)."""

    def full(f):
        return lambda obj: f.get_db_prep_save(f.pre_save(obj, True), connection=connection)

    def as_is(f, kind):
        name, slow = f.attname, full(f)

        def write(obj):
            value = getattr(obj, name)
            return value if value is None or value.__class__ is kind else slow(obj)

        return write

    return [as_is(f, _AS_IS[type(f)]) if type(f) in _AS_IS else full(f) for f in fields]


@contextmanager
def batched(using: str | None = None):
    """On PostgreSQL, statements of the block are sent without waiting for each answer
    (psycopg's pipeline mode): reading a result waits for it and for everything sent
    before; the block's end waits for the rest. Elsewhere nothing changes."""
    connection = _db(using)
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    with connection.connection.pipeline():
        yield


@cache
def _readers(model: type[models.Model], alias: str) -> list:
    connection = connections[alias]
    out = []
    for f in model._meta.concrete_fields:
        col = f.get_col(model._meta.db_table)
        out.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
    return out


@cache
def columns(model: type[models.Model], table_alias: str) -> str:
    """The model's columns, in field order, for a SELECT read by `instance()` (both
    databases quote names alike)."""
    qn = connections["default"].ops.quote_name
    return ", ".join(f"{table_alias}.{qn(f.column)}" for f in model._meta.concrete_fields)


def instance(model: type[models.Model], row: Sequence, using: str | None = None):
    """A model instance from the first len(fields) values of `row` (in field order),
    converted as the ORM converts them."""
    connection = _db(using)
    values = []
    for (col, converters), value in zip(_readers(model, connection.alias), row, strict=False):
        for convert in converters:
            value = convert(value, col, connection)
        values.append(value)
    return model.from_db(connection.alias, None, values)


def instances(model: type[models.Model], rows: Iterable[Sequence], using: str | None = None):
    return [instance(model, row, using) for row in rows]
