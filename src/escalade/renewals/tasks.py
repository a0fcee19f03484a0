from django.utils import timezone
from django_tasks import task

from .services import send_reminders


@task()
def send_renewal_reminders() -> int:
    return send_reminders(timezone.localdate())
