from django_tasks import task


@task()
def ask_stale_contacts() -> int:
    from django.conf import settings

    from .services import ask_stale_contacts as ask

    return ask(base_url=settings.ESCALADE_BASE_URL)
