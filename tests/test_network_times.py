"""One person who works for the four demo institutions (Montréal twice, Toronto, Pau) walks
every page that shows or takes a time: each time is the one of the institution the data
belongs to, whichever institution the person works in now (issue 24)."""

import datetime as dt
import re

import pytest
import time_machine

from conftest import ROOT

UTC = dt.UTC
# Saturday 5 December 2026, 15:00 UTC: 10:00 in Montréal and Toronto, 16:00 in Pau.
NOW = dt.datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
HELP = "/help/?requester=staff&need=technical_problem&subject=org_equipment"
PACKS = ("cusm-telehealth", "ciusss-emtl", "ontario-viewer", "ch-pau-imaging")


@pytest.fixture
def network(db):
    from escalade.accounts.services import create_user
    from escalade.core.packs import load_pack

    insts = {name.split("-")[0]: load_pack(ROOT / "packs" / name).institution for name in PACKS}
    user = create_user(
        "network",
        password="pw-Escalade-1",
        roles=["manager", "level1_agent", "clinical_coordinator"],
        # her default is the first given: the telehealth centre, as the demo's
        institutions=[insts["cusm"], insts["ciusss"], insts["ontario"], insts["ch"]],
    )
    return insts, user


def _client(user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _work_in(client, inst):
    response = client.post("/institution/", {"institution": inst.code})
    assert response.status_code == 302


def _text(response) -> str:
    assert response.status_code == 200, response.content[:500]
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def walk_data(network):
    from escalade.incidents.services import IncidentInput, log_incident
    from escalade.telesessions.services import PatientInput, SessionInput, create_session

    insts, user = network
    with time_machine.travel(NOW, tick=False):
        incident = log_incident(
            user,
            insts["cusm"],
            IncidentInput(
                channel="phone",
                requester_name="Dre Gagnon",
                requester_role="clinician",
                requester_site="Hôpital de Montréal pour enfants",
                requester_phone="514-412-4400",
                symptom="sound_simple",
                summary="No sound at the remote site",
            ),
        )
        session = create_session(
            user,
            insts["cusm"],
            SessionInput(
                kind="point_to_point",
                start=dt.datetime(2026, 12, 7, 15, 0, tzinfo=UTC),  # 10:00 Montréal
                end=dt.datetime(2026, 12, 7, 16, 0, tzinfo=UTC),
                requesting_site="Hôpital de Montréal pour enfants",
                provider_sites=["Hôpital général de Montréal"],
                patients=[
                    PatientInput(
                        name="Patient Test",
                        appointment=dt.datetime(2026, 12, 7, 15, 20, tzinfo=UTC),
                        phone="514-555-0100",
                    )
                ],
            ),
        )
    return insts, user, incident, session


# (institution worked in, page, what it must show, what it must not). Working in Pau
# (Paris time) while reading Montréal data is the case that went wrong.
def _pages(insts, incident, session):
    return [
        ("ch", f"/incidents/{incident.number}/", ["10:00"], ["16:00"]),
        ("cusm", f"/incidents/{incident.number}/", ["10:00"], ["16:00"]),
        ("cusm", "/incidents/?queue=all", ["2026-12-05 10:00"], ["16:00"]),
        ("ch", f"/telesessions/{session.pk}/", ["2026-12-07 10:00", "10:20"], ["16:00", "16:20"]),
        ("cusm", "/telesessions/", ["2026-12-07 10:00"], ["16:00"]),
        ("cusm", "/wallboard/", ["10:00"], ["16:00"]),
        ("ciusss", HELP, ["Monday 7 December 07:00"], ["13:00"]),
        ("ciusss", "/catalogue/", ["Monday 7 December 07:00"], ["13:00"]),
        ("ontario", "/notices/", ["00:00 – 06:00"], ["CET"]),
        ("ch", "/notifications/", [], ["2026-12-05 16:00"]),
    ]


def test_every_page_shows_each_time_in_its_institutions_zone(walk_data):
    insts, user, incident, session = walk_data
    client = _client(user)
    seen = []
    with time_machine.travel(NOW, tick=False):
        for where, url, shown, hidden in _pages(insts, incident, session):
            _work_in(client, insts[where])
            page = _text(client.get(url))
            for text in shown:
                assert text in page, f"{url} worked from {where}: '{text}' missing"
            for text in hidden:
                assert text not in page, f"{url} worked from {where}: '{text}' shown"
            seen.append(url)
    assert len(seen) == 10


def test_a_time_typed_in_a_form_is_read_in_the_institutions_zone(network):
    """The Ontario desk's Sunday 00:00-06:00 window: a notice typed for it is inside it,
    even for a person who also works for Pau (whose clock is 6 hours ahead)."""
    from escalade.notices.models import Notice

    insts, user = network
    client = _client(user)
    with time_machine.travel(NOW, tick=False):
        _work_in(client, insts["ontario"])
        response = client.post(
            "/notices/new/",
            {
                "kind": "planned",
                "title": "Viewer upgrade",
                "start": "2026-12-20T00:00",
                "end": "2026-12-20T06:00",
            },
        )
    assert response.status_code == 302, _text(response)[-3000:]
    notice = Notice.objects.get()
    assert notice.start == dt.datetime(2026, 12, 20, 5, 0, tzinfo=UTC)


def test_the_api_keeps_iso_times_with_offsets(walk_data):
    insts, user, incident, _session = walk_data
    response = _client(user).get(f"/api/incidents/{incident.number}")
    assert response.status_code == 200
    created = response.json()["created_at"]
    assert dt.datetime.fromisoformat(created) == NOW
    assert created[-6:] in ("+00:00",) or created.endswith("Z")
