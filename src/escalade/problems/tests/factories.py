"""Factories for problems: opened by hand through the service (problems.services.create),
as the API and the page do."""

from escalade.problems import services


def problem(actor, institution, title: str = "Codec at Gatineau", incidents=(), **kwargs):
    """An open problem of `institution`, with its incidents linked."""
    return services.create(actor, institution, title, list(incidents), **kwargs)
