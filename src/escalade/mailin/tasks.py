from django_tasks import task

from .services import fetch_all


@task()
def fetch_mail() -> dict:
    """The scheduled reading of every IMAP mailbox."""
    return fetch_all()
