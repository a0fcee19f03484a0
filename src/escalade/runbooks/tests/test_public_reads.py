"""What anyone who reaches the server can read without sign-in (issue 25, finding 6):
the current broadcasts of one workstation's own institution, by an id no one can guess,
without the incident's number or the host patterns; optionally only from the
workstation networks or with the display token."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from escalade.runbooks import services
from escalade.runbooks.models import Broadcast, WorkstationGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_institutions(pau, crew, cusm):
    """An outage at Pau, and a broadcast to every workstation of another institution."""
    outage = services.activate(crew["it_technician"], pau, "case4_ris_pacs")
    WorkstationGroup.objects.create(
        institution=cusm,
        code="telehealth",
        label={"fr": "Postes", "en": "Stations"},
        hosts=["CUSMTS*"],
    )
    other = Broadcast.objects.create(
        institution=cusm,
        group="all",
        group_label={"fr": "Tous", "en": "All"},
        hosts=["*"],
        kind="warning",
        title={"fr": "Réseau du CUSM en panne", "en": "MUHC network down"},
        message={"fr": "Secret", "en": "Secret"},
        starts_at=timezone.now() - dt.timedelta(minutes=5),
    )
    return outage, other


def test_current_needs_a_host_and_answers_only_that_hosts_institution(two_institutions):
    outage, other = two_institutions
    anonymous = Client()
    r = anonymous.get("/api/broadcasts/current")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "host"
    pau_station = anonymous.get("/api/broadcasts/current", {"host": "MRADI001"}).json()
    assert {b["title"] for b in pau_station} == {"RIS et PACS en panne"}
    assert all(isinstance(b["id"], str) and len(b["id"]) >= 20 for b in pau_station)
    assert "institution_id" not in pau_station[0] and "hosts" not in pau_station[0]
    cusm_station = anonymous.get("/api/broadcasts/current", {"host": "CUSMTS042"}).json()
    assert [b["title"] for b in cusm_station] == ["Réseau du CUSM en panne"]
    # a host of no institution reads nothing, not even the broadcasts "to every workstation"
    assert anonymous.get("/api/broadcasts/current", {"host": "ATTACKER"}).json() == []


def test_cap_by_sequential_id_or_of_an_ended_broadcast_is_not_served(two_institutions):
    outage, other = two_institutions
    anonymous = Client()
    for b in Broadcast.objects.all():
        assert anonymous.get(f"/api/broadcasts/{b.pk}.cap").status_code == 404
    served = anonymous.get(f"/api/broadcasts/{other.public_id}.cap")
    assert served.status_code == 200 and b"<incidents>" not in served.content
    assert b"CUSMTS" not in served.content  # no host pattern
    Broadcast.objects.filter(pk=other.pk).update(ends_at=timezone.now())
    assert anonymous.get(f"/api/broadcasts/{other.public_id}.cap").status_code == 404
    # the Atom feed of a Pau workstation lists nothing of the other institution
    feed = anonymous.get("/feeds/broadcasts.atom", {"host": "MRADI001"}).content.decode()
    assert "RIS et PACS en panne" in feed and "CUSM" not in feed
    assert outage.incident.number not in feed


def test_the_kiosk_of_a_group_shows_only_its_institution(two_institutions):
    html = Client().get("/display/", {"group": "imaging"}).content.decode()
    assert "RIS et PACS en panne" in html and "Réseau du CUSM" not in html


def test_the_reads_can_be_fenced_to_the_workstation_networks(two_institutions, settings):
    outage, other = two_institutions
    settings.ESCALADE_PUBLIC_NETWORKS = ["10.20.0.0/16"]
    settings.ESCALADE_DISPLAY_TOKEN = "wall-screen-token"
    outside = Client(REMOTE_ADDR="192.0.2.7")
    r = outside.get("/api/broadcasts/current", {"host": "MRADI001"})
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "forbidden"
    assert outside.get(f"/api/broadcasts/{other.public_id}.cap").status_code == 403
    assert outside.get("/display/", {"group": "imaging"}).status_code == 403
    assert outside.get("/feeds/broadcasts.atom", {"host": "MRADI001"}).status_code == 403
    inside = Client(REMOTE_ADDR="10.20.3.4")
    assert inside.get("/api/broadcasts/current", {"host": "MRADI001"}).status_code == 200
    wall = outside.get("/display/", {"group": "imaging", "token": "wall-screen-token"})
    assert wall.status_code == 200 and "RIS et PACS en panne" in wall.content.decode()
    assert outside.get("/display/", {"group": "imaging", "token": "guess"}).status_code == 403


def test_a_workstation_asking_again_gets_304_until_something_changes_for_it(
    two_institutions, crew, pau, django_assert_max_num_queries
):
    station = Client()
    first = station.get("/api/broadcasts/current", {"host": "MRADI001"})
    assert first.status_code == 200 and first["ETag"] and first["Cache-Control"] == "no-cache"
    tag = first["ETag"]
    with django_assert_max_num_queries(1):  # the broadcasts' version, nothing else
        again = station.get("/api/broadcasts/current", {"host": "MRADI001"}, HTTP_IF_NONE_MATCH=tag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == tag
    # another workstation's tag is not this one's
    other = station.get("/api/broadcasts/current", {"host": "CUSMTS042"}, HTTP_IF_NONE_MATCH=tag)
    assert other.status_code == 200
    # a second outage at Pau: the same tag now gets the new answer
    services.activate(crew["it_technician"], pau, "case3_pacs")
    changed = station.get("/api/broadcasts/current", {"host": "MRADI001"}, HTTP_IF_NONE_MATCH=tag)
    assert changed.status_code == 200 and changed["ETag"] != tag
    assert len(changed.json()) > len(first.json())


def test_workstations_that_receive_the_same_broadcasts_share_one_answer(
    two_institutions, django_assert_max_num_queries
):
    """10,000 workstations polling during an outage: the first of a group makes the
    answer, the others (never seen before) get it for one statement, the version's."""
    station = Client()
    first = station.get("/api/broadcasts/current", {"host": "MRADI001"})
    with django_assert_max_num_queries(1):
        neighbour = station.get("/api/broadcasts/current", {"host": "MRADI777"})
    assert neighbour.status_code == 200 and neighbour["ETag"] == first["ETag"]
    assert neighbour.content == first.content
    english = station.get(
        "/api/broadcasts/current", {"host": "MRADI778"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english["ETag"] != first["ETag"]  # the same broadcasts, in the reader's language
    elsewhere = station.get("/api/broadcasts/current", {"host": "CUSMTS042"})
    assert elsewhere["ETag"] != first["ETag"]
    assert "Réseau du CUSM en panne" in [b["title"] for b in elsewhere.json()]
    assert "Réseau du CUSM en panne" not in [b["title"] for b in first.json()]


def test_a_return_to_normal_and_a_broadcast_starting_later_are_seen_in_time(
    two_institutions, crew, cusm
):
    import time_machine

    outage, other = two_institutions
    station = Client()
    kinds = [b["type"] for b in station.get("/api/broadcasts/current", {"host": "MRADI001"}).json()]
    assert kinds and set(kinds) == {"warning"}
    services.restore(crew["it_technician"], outage)  # ends the warning with .update()
    kinds = [b["type"] for b in station.get("/api/broadcasts/current", {"host": "MRADI001"}).json()]
    assert kinds and "warning" not in kinds  # "it is back" instead
    soon = timezone.now() + dt.timedelta(minutes=30)
    Broadcast.objects.create(
        institution=cusm,
        group="all",
        group_label={"fr": "Tous", "en": "All"},
        hosts=["*"],
        kind="info",
        title={"fr": "Maintenance ce soir", "en": "Maintenance tonight"},
        message={"fr": "20 h", "en": "8 p.m."},
        starts_at=soon,
    )
    before = station.get(
        "/api/broadcasts/current", {"host": "CUSMTS042"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert [b["title"] for b in before.json()] == ["MUHC network down"]
    with time_machine.travel(soon + dt.timedelta(seconds=1), tick=False):
        after = station.get(
            "/api/broadcasts/current", {"host": "CUSMTS042"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert sorted(b["title"] for b in after.json()) == ["MUHC network down", "Maintenance tonight"]


def test_an_answer_kept_from_a_rolled_back_write_is_not_served_after_the_next_one(pau):
    """The answers are kept under the broadcasts' version. A write rolled back (or a
    database restored from a backup) leaves the number it had; the next write must not
    make that number again, or the workstations would read the undone broadcast for up to
    a minute (the version is the clock in microseconds: on PostgreSQL it was only "+ 1")."""
    from django.db import transaction

    def broadcast(title):
        return Broadcast.objects.create(
            institution=pau,
            group="imaging",
            group_label={"fr": "Imagerie", "en": "Imaging"},
            hosts=["MRADI*"],
            kind="warning",
            title={"fr": title, "en": title},
            message={"fr": "", "en": ""},
            starts_at=timezone.now() - dt.timedelta(minutes=1),
        )

    def shown():
        answer = Client().get("/api/broadcasts/current", {"host": "MRADI001"}).json()
        return [b["title"] for b in answer]

    with pytest.raises(RuntimeError), transaction.atomic():
        broadcast("Annulée")
        assert shown() == ["Annulée"]
        raise RuntimeError("rolled back")
    broadcast("RIS en panne")
    assert shown() == ["RIS en panne"]
