"""The mailbox handlers of seed 002's weekly mail (rules on the province's fixed
sender, in mailboxes.yaml): the Codes on the Fly worksheet becomes a proposed import of
its data source, the Weekly Conformance Errors report is sealed and routed. The rules
that name these handlers require an authenticated sender (mailin/authenticity.py): a
forged message never reaches them. Called by mailin inside the transaction that records
the message, which keeps neither its bytes nor its text; what they return is the
message's outcome on the mailbox page, in the product's language (as the collector
writes it)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from escalade.catalog.models import Organisation
from escalade.core.errors import Invalid
from escalade.core.i18n import colon

from . import services
from .choices import Via
from .models import DataSource


def worksheet(mailbox, parsed, message, options: dict) -> str:
    """options: {datasource: CODE}. Each XLSX or CSV attachment becomes a proposed import:
    mail never changes a mapping by itself (a person approves it on the source's page)."""
    source = DataSource.objects.select_related("institution", "organisation").get(
        institution=mailbox.institution_id, code=options["datasource"]
    )
    done = []
    for part in parsed.attachments:
        if part.filename.lower().endswith((".xlsx", ".csv")):
            try:
                proposal = services.propose_worksheet(
                    source, part.data, part.filename, sender=parsed.sender
                )
            except Invalid as exc:
                done.append(f"{part.filename}{colon()} {exc.message}")
                continue
            done.append(
                ngettext(
                    "%(file)s: proposed import #%(id)s (%(rows)s row)",
                    "%(file)s: proposed import #%(id)s (%(rows)s rows)",
                    proposal.rows,
                )
                % {"file": part.filename, "id": proposal.pk, "rows": proposal.rows}
            )
    return "; ".join(done) or _("No worksheet attached.")


def conformance_report(mailbox, parsed, message, options: dict) -> str:
    """options: {organisation: CODE}. Each attachment is a sealed report."""
    organisation = Organisation.objects.select_related("institution").get(
        institution=mailbox.institution_id, code=options["organisation"]
    )
    ids = [
        services.receive_report(None, organisation, part.filename, part.data, via=Via.EMAIL).pk
        for part in parsed.attachments
        if part.data
    ]
    if not ids:
        return _("No report attached.")
    return _("Sealed reports: %(ids)s") % {"ids": ", ".join(f"#{i}" for i in ids)}
