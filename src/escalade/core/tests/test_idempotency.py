"""Idempotency-Key: a retry of the same request answers as the first did, a different
request with the key is refused, an error is not kept, and no answer is kept in clear:
personal health information is read again (permission checked, audited) on a retry."""

import datetime as dt

import pytest

from escalade.accounts.services import set_roles
from escalade.core.models import AuditEvent, IdempotencyRecord
from escalade.incidents.models import Incident
from escalade.telesessions.models import TeleSession

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2027, 1, 12, 14, 0, tzinfo=dt.UTC)


def session_body(**extra):
    return {
        "kind": "point_to_point",
        "start": T0.isoformat(),
        "end": (T0 + dt.timedelta(hours=1)).isoformat(),
        "requesting_site": "Hôpital de Gatineau",
        "provider_sites": ["Hôpital général de Montréal"],
        "patients": [{"name": "Jeanne Tremblay", "phone": "819-966-6000"}],
        **extra,
    }


def test_the_same_key_with_another_body_is_refused_and_writes_nothing(api, body):
    agent = api("level1_agent")
    first = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="call-1")
    assert first.status_code == 201
    other = agent.post(
        "/api/incidents", body(summary="Another call"), HTTP_IDEMPOTENCY_KEY="call-1"
    )
    assert other.status_code == 422
    assert other.json()["errors"][0]["field"] == "Idempotency-Key"
    assert Incident.objects.count() == 1


def test_a_first_error_is_not_kept_so_the_corrected_retry_goes_through(api, body):
    agent = api("level1_agent")
    bad = agent.post("/api/incidents", body(symptom="no-such-symptom"), HTTP_IDEMPOTENCY_KEY="k")
    assert bad.status_code == 422 and not IdempotencyRecord.objects.exists()
    good = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good
    again = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201 and again.json()["number"] == good.json()["number"]
    assert Incident.objects.count() == 1


def test_no_answer_is_kept_in_clear(api, body):
    agent = api("level1_agent")
    agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="sealed")
    record = IdempotencyRecord.objects.get()
    assert record.body and b"Dre Gagnon" not in bytes(record.body)
    assert b"number" not in bytes(record.body)


def test_a_replay_reads_patients_again_with_todays_permission_and_audits_it(api, staff):
    coordinator = api("event_coordinator")
    first = coordinator.post("/api/telesessions", session_body(), HTTP_IDEMPOTENCY_KEY="s-1")
    assert first.status_code == 201 and first.json()["patients"][0]["name"] == "Jeanne Tremblay"
    record = IdempotencyRecord.objects.get()
    assert record.replay_path and not bytes(record.body)  # nothing of the patients kept
    audits = AuditEvent.objects.filter(action="phi_viewed").count()

    again = coordinator.post("/api/telesessions", session_body(), HTTP_IDEMPOTENCY_KEY="s-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["patients"][0]["name"] == "Jeanne Tremblay"
    assert AuditEvent.objects.filter(action="phi_viewed").count() == audits + 1
    assert TeleSession.objects.count() == 1

    set_roles(staff["event_coordinator"], ["level1_agent"])  # may no longer see patients
    third = coordinator.post("/api/telesessions", session_body(), HTTP_IDEMPOTENCY_KEY="s-1")
    assert third.status_code == 201 and "Jeanne Tremblay" not in third.content.decode()
    assert AuditEvent.objects.filter(action="phi_viewed").count() == audits + 1
    assert TeleSession.objects.count() == 1


def test_a_kept_answer_is_not_given_back_once_the_roles_changed(api, body, staff):
    agent = api("level1_agent")
    agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="r-1")
    set_roles(staff["level1_agent"], ["requester"])
    again = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="r-1")
    assert again.status_code == 403 and again.json()["errors"][0]["field"] == "Idempotency-Key"


def test_an_expired_key_is_a_new_request(api, body, settings):
    agent = api("level1_agent")
    agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    again = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="old")
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert Incident.objects.count() == 2


def test_kept_answers_are_sealed_with_the_seal_keys_rotated_and_purged(api, body, settings):
    """Issue 25, finding 7: the records were never purged, and encrypted with a key
    derived from the secret key, outside ESCALADE_SEAL_KEYS and its rotation."""
    from cryptography.fernet import Fernet
    from django.core.management import call_command

    from escalade.core import idempotency, seal

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.ESCALADE_SEAL_KEYS = [old]
    agent = api("level1_agent")
    first = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="rot")
    record = IdempotencyRecord.objects.get()
    assert seal.open_sealed(record.body) == first.content
    settings.ESCALADE_SEAL_KEYS = [new, old]
    call_command("rotate_seal_keys")
    settings.ESCALADE_SEAL_KEYS = [new]  # the old key dropped: the retry still replays
    again = agent.post("/api/incidents", body(), HTTP_IDEMPOTENCY_KEY="rot")
    assert again.status_code == 201 and again.json()["number"] == first.json()["number"]
    # an hour past the lifetime, the scheduled purge deletes it
    later = record.created_at + dt.timedelta(hours=settings.ESCALADE_IDEMPOTENCY_HOURS, minutes=1)
    assert idempotency.purge(now=later) == 1 and not IdempotencyRecord.objects.exists()


def test_the_purge_is_scheduled():
    from escalade.core.scheduler import SCHEDULES

    assert SCHEDULES["idempotency-purge"][0] == "escalade.core.tasks.purge_idempotency"
