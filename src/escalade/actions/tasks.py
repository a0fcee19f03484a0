from django.utils import timezone
from django_tasks import task

from .services import send_reminders


@task()
def remind_action_items() -> int:
    return send_reminders(timezone.localdate())
