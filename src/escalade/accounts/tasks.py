"""The accounts' scheduled work."""

from django_tasks import task

from .services import ldap


@task()
def check_directory_accounts() -> dict:
    """End the accounts the directory disabled or removed (sessions, API tokens)."""
    return ldap.check_accounts()
