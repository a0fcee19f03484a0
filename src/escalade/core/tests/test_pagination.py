"""Lists answer pages of one shape, keyset-ordered: every row once, in order, whatever
is added meanwhile; a tampered cursor is a clear error."""

import pytest

from escalade.core.pagination import PageQuery, paginate
from escalade.incidents.models import Incident

pytestmark = pytest.mark.django_db


def _walk(api, path, **params):
    seen, cursor, pages = [], None, 0
    while True:
        r = api.get(path, **params, **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.content
        page = r.json()
        assert set(page) == {"items", "next", "count", "count_exact"}
        seen += page["items"]
        pages += 1
        cursor = page["next"]
        if cursor is None:
            return seen, pages, page


def test_every_incident_once_newest_first_and_new_ones_do_not_shift_the_pages(api, body):
    agent = api("level1_agent")
    numbers = [
        agent.post("/api/incidents", body(channel="web", summary=f"call {i}")).json()["number"]
        for i in range(7)
    ]
    first = agent.get("/api/incidents", limit=3).json()
    assert [i["number"] for i in first["items"]] == numbers[::-1][:3]
    agent.post("/api/incidents", body(channel="web", summary="while paging"))  # a new call
    rest = agent.get("/api/incidents", limit=3, cursor=first["next"]).json()
    assert [i["number"] for i in rest["items"]] == numbers[::-1][3:6]
    seen, pages, last = _walk(agent, "/api/incidents", limit=3)
    assert len(seen) == 8 and len({i["number"] for i in seen}) == 8 and pages == 3
    assert last["count"] == 8 and last["count_exact"] is True


def test_a_tampered_cursor_is_a_422_naming_it(api, body):
    agent = api("level1_agent")
    for cursor in ("not-a-cursor", "eyJrIjpbImFiYyJdfQ", "eyJrIjpbMSwyXX0"):
        r = agent.get("/api/incidents", cursor=cursor)
        assert r.status_code == 422, cursor
        assert r.json()["errors"][0]["field"] == "cursor"
    assert agent.get("/api/incidents", limit=201).status_code == 422


def test_counts_are_exact_below_the_threshold_and_estimated_near_the_truth_above(
    settings, cusm, ontario, make_user
):
    from django.db import connection

    from escalade.incidents.tests.factories import log

    agent = make_user("level1_agent", [cusm, ontario], username="both-desks")
    for i in range(24):  # two institutions' calls interleaved, as in a network
        if i % 2:
            log(agent, cusm)
        else:
            log(agent, ontario, symptom="viewer_access")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does for a real table
            cursor.execute("ANALYZE incidents_incident")
    settings.ESCALADE_COUNT_EXACT_BELOW = 5
    page = paginate(Incident.objects.filter(institution=cusm), PageQuery(limit=2))
    assert len(page["items"]) == 2 and page["next"]
    # PostgreSQL: its planner's estimate; SQLite: the density of the newest rows
    assert page["count_exact"] is False
    assert 8 <= page["count"] <= 18, page["count"]
    settings.ESCALADE_COUNT_EXACT_BELOW = 30
    page = paginate(Incident.objects.filter(institution=cusm), PageQuery(limit=2))
    assert (page["count"], page["count_exact"]) == (12, True)
    # a first page that holds the whole list counts it without asking the database again
    page = paginate(Incident.objects.filter(institution=cusm), PageQuery(limit=20))
    assert (page["count"], page["count_exact"], page["next"]) == (12, True, None)


def test_a_computed_list_pages_by_position():
    rows = list(range(5))
    first = paginate(rows, PageQuery(limit=2))
    second = paginate(rows, PageQuery(limit=2, cursor=first["next"]))
    third = paginate(rows, PageQuery(limit=2, cursor=second["next"]))
    assert [first["items"], second["items"], third["items"]] == [[0, 1], [2, 3], [4]]
    assert third["next"] is None and first["count"] == 5
