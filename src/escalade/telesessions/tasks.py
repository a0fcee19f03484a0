"""Background tasks of the live protocol: the marks of the 15-30 minute window.

They run in the task workers (`escalade run_worker`), not in a browser tab, so they fire
when nobody has the page open; apply_mark() makes each mark happen exactly once."""

from django_tasks import task


@task()
def protocol_mark(protocol_id: int, mark: str) -> bool:
    from .services import apply_mark  # noqa: PLC0415 (cycle: services enqueue tasks)

    return apply_mark(protocol_id, mark)
