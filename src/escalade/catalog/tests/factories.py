"""Factories for the catalogue: an organisation's contact added through the service
(catalog.services.add_contact), as the page and the API do."""

from escalade.catalog import services


def contact(actor, organisation, **fields):
    """A service-desk contact of `organisation`, its fields overridable."""
    data = {"role": "service_desk", "name": "Ann Roy", "email": "ann@example.org", **fields}
    return services.add_contact(actor, organisation, data)
