"""The core's scheduled work."""

from django_tasks import task

from . import idempotency


@task()
def purge_idempotency() -> int:
    """Delete the expired Idempotency-Key records (and the sealed answers they keep)."""
    return idempotency.purge()
