"""The scheduled, incremental problem detection (core.scheduler.SCHEDULES)."""

from django_tasks import task

from escalade.core.models import Institution

from .services import detect


@task()
def detect_problems() -> int:
    return sum(len(detect(institution)) for institution in Institution.objects.all())
