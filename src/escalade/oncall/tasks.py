"""The scheduled check of the response clocks (core.scheduler.SCHEDULES)."""

from django_tasks import task

from . import services
from .services import check_clocks, run_step


@task()
def check_response_clocks() -> int:
    return check_clocks()


@task()
def page_step(paging_id: int, step: int, round_: int) -> bool:
    """A paging's next step, queued with the step before it (run_after: its wait)."""
    return run_step(paging_id, step, round_)


@task()
def send_sms(page_id: int) -> str:
    """A page's SMS, handed to Kannel by a worker."""
    return services.send_sms(page_id)
