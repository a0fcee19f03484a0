"""The mailbox handlers of seed 002's weekly mail (rules on the province's fixed
sender, in mailboxes.yaml): the Codes on the Fly worksheet goes to its data source,
the Weekly Conformance Errors report is sealed and routed. Called by mailin inside the
transaction that records the message, which keeps neither its bytes nor its text."""

from __future__ import annotations

from escalade.catalog.models import Organisation

from . import services
from .choices import Via
from .models import DataSource


def worksheet(mailbox, parsed, message, options: dict) -> str:
    """options: {datasource: CODE}. Each XLSX or CSV attachment is imported."""
    source = DataSource.objects.select_related("institution").get(
        institution=mailbox.institution_id, code=options["datasource"]
    )
    done = []
    for part in parsed.attachments:
        if part.filename.lower().endswith((".xlsx", ".csv")):
            counts = services.import_worksheet(None, source, part.data, part.filename)
            done.append(f"{part.filename}: {counts['new']} new, {counts['unmapped']} unmapped")
    return "; ".join(done) or "no worksheet attached"


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
    return f"sealed reports {', '.join(f'#{i}' for i in ids)}" if ids else "no report attached"
