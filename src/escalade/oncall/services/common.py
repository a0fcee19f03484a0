"""What the on-call services share."""

from __future__ import annotations


def _update(row, *fields: str) -> None:
    """Write these fields of an existing row in one UPDATE. Inside the intake's batched
    statements on PostgreSQL (core.prepared.batched), a save() cannot read how many rows
    its UPDATE touched and would INSERT the row a second time."""
    type(row).objects.filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})
