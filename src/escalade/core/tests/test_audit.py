"""The audit log is append-only and records who, when, what changed."""

import pytest

from escalade.core.models import AuditEvent
from escalade.incidents import services
from escalade.incidents.tests.factories import log

pytestmark = pytest.mark.django_db


def test_events_cannot_be_changed_or_deleted(cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    event = AuditEvent.objects.for_object("incident", incident.pk).first()
    event.action = "closed"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().update(action="closed")


def test_every_write_records_who_and_before_after(cusm, staff):
    incident = log(staff["level1_agent"], cusm)
    services.reprioritize(staff["level2_analyst"], incident, "low", "low", "only one user")
    event = AuditEvent.objects.for_object("incident", incident.pk).get(action="priority_changed")
    assert event.actor == staff["level2_analyst"]
    assert event.changes["priority"] == [4, 5]  # sound_simple: low x medium
    assert "impact" not in event.changes  # it was low already
    assert event.changes["urgency"] == ["medium", "low"]
    assert event.institution == cusm
