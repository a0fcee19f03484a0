from django_tasks import task


@task()
def send_renewal_reminders() -> int:
    from django.utils import timezone

    from .services import send_reminders

    return send_reminders(timezone.localdate())
