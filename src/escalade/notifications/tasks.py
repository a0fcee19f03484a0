"""Background delivery of notifications."""

from django_tasks import task

from .services import deliver, deliver_hook


@task()
def deliver_mail(mail_id: int) -> str:
    return deliver(mail_id)


@task()
def deliver_webhook(delivery_id: int) -> str:
    return deliver_hook(delivery_id)
