"""The core's scheduled work."""

from django_tasks import task

from . import idempotency, retention


@task()
def purge_idempotency() -> int:
    """Delete the expired Idempotency-Key records (and the sealed answers they keep)."""
    return idempotency.purge()


@task()
def apply_retention() -> dict:
    """Remove or anonymise the personal information past its institution's period."""
    return retention.apply()
