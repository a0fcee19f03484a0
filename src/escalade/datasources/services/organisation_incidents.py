"""Incidents opened on an organisation (a silent source, a rejecting one, a report that
cannot be routed), and the interface specialists told."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _

from escalade.accounts.services import system_user
from escalade.catalog.choices import ContactRole
from escalade.catalog.models import Contact, Organisation
from escalade.core.i18n import in_both, in_language, pick, product_language
from escalade.incidents import services as incidents
from escalade.incidents.choices import Channel, RequesterRole
from escalade.notifications import services as notify

from ..models import (
    DataSource,
)

log = logging.getLogger("escalade.datasources")


# -- incidents on an organisation --------------------------------------------------------------


def _incident_on(organisation: Organisation, kind: str, summary, description: str):
    """An incident on the organisation; `summary` is written by `summary()` in each
    language (shown in the reader's), the description in the product's."""
    institution = organisation.institution
    summaries = in_both(summary)
    symptoms = (institution.settings or {}).get("datasources", {}).get("symptoms", {})
    name = pick(organisation.name, product_language()) or organisation.code
    return incidents.log_incident(
        system_user(institution),
        institution,
        incidents.IncidentInput(
            channel=Channel.API,
            requester_name=name[:200],
            requester_role=RequesterRole.STAFF,
            requester_site=name[:200],
            symptom=symptoms.get(kind, ""),
            summary=summaries[product_language()][:200],
            summary_i18n=summaries,
            description=str(description),
        ),
    )


def _tell_specialists(datasource: DataSource, incident, what: tuple) -> int:
    contacts = Contact.objects.filter(
        organisation=datasource.organisation, role=ContactRole.INTERFACE_SPECIALIST
    ).exclude(email="")
    for contact in contacts:
        with in_language(contact.language):
            text = str(what[0]) % what[1]
            notify.send_mail(
                [contact.email],
                _("%(source)s: %(what)s (incident %(number)s)")
                % {"source": pick(datasource.label), "what": text, "number": incident.number},
                _(
                    "Hello,\n\n%(source)s: %(what)s. The service desk opened incident "
                    "%(number)s; please look at the interface and tell us.\n\n%(link)s"
                )
                % {
                    "source": pick(datasource.label),
                    "what": text,
                    "number": incident.number,
                    "link": f"{settings.ESCALADE_BASE_URL}/incidents/{incident.number}/",
                },
            )
    return len(contacts)
