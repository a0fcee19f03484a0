from django_tasks import task

from . import services


@task()
def check_silence() -> list:
    """The check of the data sources' silence (every five minutes)."""
    return services.check_silence()


@task()
def remind_unmapped() -> dict:
    """The weekly list of unmapped codes, and the incidents of codes unmapped too long."""
    return services.remind_unmapped()
