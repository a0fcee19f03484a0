"""E-mail contents past the institution's period (core/retention.py): the bodies and
attachments of the messages of incidents closed before the cut-off are removed (the
message's sender, subject, date and size stay, so the thread and the counts read as
before), unless the incident is under a legal hold."""

from __future__ import annotations

from django.db.models import Q

from ..models import Attachment, Message

REMOVED = "—"


def purge_contents(institution, cutoff, held) -> int:
    """Remove the contents of the institution's mail of incidents closed before `cutoff`."""
    incidents = {int(i) for kind, i in held if kind == "incident"}
    closed = Q(incident__institution=institution, incident__closed_at__lt=cutoff)
    messages = (
        Message.objects.filter(closed).exclude(incident_id__in=incidents).exclude(text="", raw=b"")
    )
    attachments = (
        Attachment.objects.filter(closed)
        .exclude(incident_id__in=incidents)
        .exclude(filename=REMOVED)
    )
    return messages.update(text="", raw=b"") + attachments.update(data=b"", filename=REMOVED)
