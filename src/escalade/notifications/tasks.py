"""Background delivery of notifications."""

from django_tasks import task


@task()
def deliver_mail(mail_id: int) -> str:
    from .services import deliver

    return deliver(mail_id)


@task()
def deliver_webhook(delivery_id: int) -> str:
    from .services import deliver_hook

    return deliver_hook(delivery_id)
