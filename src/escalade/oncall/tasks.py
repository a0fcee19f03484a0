"""The scheduled check of the response clocks (core.scheduler.SCHEDULES)."""

from django_tasks import task

from .services import check_clocks


@task()
def check_response_clocks() -> int:
    return check_clocks()
