"""The accounts' scheduled work."""

from django_tasks import task

from .services import ldap, oidc


@task()
def check_directory_accounts() -> dict:
    """End the accounts the directory disabled or removed (sessions, API tokens)."""
    return ldap.check_accounts()


@task()
def check_provider_sessions() -> dict:
    """Refresh the sessions signed in through an OpenID provider at their provider; one
    it refuses (the account disabled or removed there) ends its account."""
    return oidc.check_sessions()
