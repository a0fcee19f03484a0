from django.conf import settings
from django_tasks import task

from .services import ask_stale_contacts as ask


@task()
def ask_stale_contacts() -> int:
    return ask(base_url=settings.ESCALADE_BASE_URL)
