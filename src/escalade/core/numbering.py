"""Request numbers PREFIX-YYYY-NNNNNN, allocated inside the caller's transaction."""

from django.db import connection, transaction

from .models import NumberSequence

_SQL = (
    "INSERT INTO {table} (prefix, year, last) VALUES (%s, %s, 1) "
    "ON CONFLICT (prefix, year) DO UPDATE SET last = {table}.last + 1 RETURNING last"
)


def format_number(prefix: str, year: int, value: int) -> str:
    return f"{prefix}-{year}-{value:06d}"


def next_number(prefix: str, year: int) -> str:
    """Take the next number for `prefix` in `year`.

    One statement increments the row and returns the value; the row stays locked
    until the caller's transaction ends, so concurrent callers queue instead of
    colliding, and a rolled-back request gives its number back."""
    if not connection.in_atomic_block:
        raise RuntimeError("next_number() must run inside the transaction that stores the row")
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_SQL.format(table=table), [prefix, year])
        (value,) = cursor.fetchone()
    return format_number(prefix, year, value)


__all__ = ["next_number", "format_number", "transaction"]
