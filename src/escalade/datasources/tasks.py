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


@task()
def import_queued(proposal_id: int) -> dict:
    """A large uploaded worksheet, imported in chunks (each its own transaction, the
    progress with it: a worker killed mid-way resumes where it stopped)."""
    return services.run_queued_import(proposal_id)
