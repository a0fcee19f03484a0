"""Every bad input to the JSON API is a JSON 4xx naming the field, and writes nothing;
every failure Django would answer in HTML is JSON under /api/."""

import pytest
from django.test import Client

from escalade.incidents.models import Incident

pytestmark = pytest.mark.django_db


def errors(r):
    assert r["Content-Type"].startswith("application/json"), (r.status_code, r.content[:200])
    return r.json()["errors"]


def test_a_nul_character_in_a_text_or_a_parameter_is_refused(api, body):
    agent = api("level1_agent")
    r = agent.post("/api/incidents", body(summary="a\u0000b"))
    assert r.status_code == 422 and errors(r)[0]["field"] == "summary"
    r = agent.post("/api/incidents", body(requester={"name": "x\u0000", "role": "clinician"}))
    assert errors(r)[0]["field"] == "requester.name"
    r = agent.get("/api/incidents", q="a\x00b")
    assert r.status_code == 422 and errors(r)[0]["field"] == "q"
    assert Incident.objects.count() == 0


def test_integers_past_what_the_database_holds_are_refused(api):
    agent = api("level1_agent")
    r = agent.get("/api/incidents", page="9223372036854775808")
    assert r.status_code == 422 and errors(r)[0]["field"] == "page"
    r = api("it_technician").post(
        "/api/licences", {"product": "Zoom", "holder": "DSP", "end": "2027-01-01", "seats": 2**40}
    )
    assert r.status_code == 422 and errors(r)[0]["field"] == "seats"


@pytest.mark.parametrize(
    "path,params",
    [
        ("/api/stats", {"from": "0001-01-01", "to": "0001-01-02"}),
        ("/api/stats", {"from": "9999-12-30", "to": "9999-12-31"}),
        ("/api/providers", {"at": "9999-12-31T23:59:59Z"}),
        ("/api/providers", {"at": "0001-01-01T00:00:00Z"}),
    ],
)
def test_dates_near_year_1_or_9999_are_refused(api, path, params):
    r = api("level2_analyst").get(path, **params)
    assert r.status_code in (400, 422), r.content
    assert errors(r)[0]["message"]


def test_far_dates_in_a_body_are_refused(api):
    r = api("level1_agent").post("/api/route", {"who": "x", "at": "9999-12-31T23:00:00Z"})
    assert r.status_code == 422
    r = api("level2_analyst").post(
        "/api/notices", {"kind": "planned", "title": "Work", "start": "0001-01-01T00:00:00Z"}
    )
    assert r.status_code == 422 and errors(r)[0]["field"] == "start"
    assert "1900" in errors(r)[0]["message"]


def test_lenient_parsing_is_gone(api, body):
    agent = api("level1_agent")
    r = agent.post("/api/incidents", body(resolved_on_first_call="yes"))
    assert r.status_code == 422 and errors(r)[0]["field"] == "resolved_on_first_call"
    r = api("level2_analyst").post(
        "/api/notices", {"kind": "unplanned", "title": "Down", "start": 0}
    )
    assert r.status_code == 422 and errors(r)[0]["field"] == "start"
    r = agent.client.post("/api/incidents", '{"summary": "x"}', content_type="text/plain")
    assert r.status_code == 415 and errors(r)[0]["field"] == "Content-Type"
    assert Incident.objects.count() == 0


def test_a_text_over_the_limit_is_refused(api, body, settings):
    r = api("level1_agent").post("/api/incidents", body(description="x" * 2_400_000))
    assert r.status_code in (413, 422)
    r = api("level1_agent").post("/api/incidents", body(description="x" * 20_001))
    assert r.status_code == 422 and errors(r)[0]["field"] == "description"
    assert Incident.objects.count() == 0


def test_django_s_html_answers_are_json_under_the_api(api, settings):
    agent = api("level1_agent")
    r = agent.get("/api/telesessions/not-a-number")
    assert r.status_code == 404 and errors(r)[0]["code"] == "not_found"
    r = agent.get("/api/incidents", q="x" * 10_000)
    assert r.status_code == 414 and errors(r)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = agent.post("/api/incidents", {"summary": "y" * 2000})
    assert r.status_code == 413 and errors(r)
    html = Client().get("/no-such-page/")
    assert html.status_code == 404 and html["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json_with_a_reference_and_no_traceback(
    api, monkeypatch, caplog
):
    from escalade.incidents import selectors

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "search", boom)
    agent = api("level1_agent")
    agent.client.raise_request_exception = False
    r = agent.get("/api/incidents")
    assert r.status_code == 500
    body = r.json()
    assert body["request_id"] and body["request_id"] in body["errors"][0]["message"]
    assert "secret internals" not in r.content.decode() and "Traceback" not in r.content.decode()
    assert r["X-Request-ID"] == body["request_id"]
    assert "secret internals" in caplog.text and body["request_id"] in caplog.text


def test_an_unreachable_database_is_a_503_to_retry_not_a_500():
    from django.db import OperationalError
    from django.test import RequestFactory

    from escalade.core.api_guard import RequestId

    guard = RequestId(lambda request: None)
    request = RequestFactory().post("/api/incidents")
    request.escalade_request_id = "abc123"
    response = guard.process_exception(request, OperationalError("server closed the connection"))
    assert response.status_code == 503 and response["Retry-After"] == "2"
    assert b'"code": "unavailable"' in response.content and b"abc123" in response.content
    page = RequestFactory().get("/incidents/")
    assert guard.process_exception(page, OperationalError("down")) is None  # pages: Django's 500


@pytest.mark.parametrize("depth", [33, 100_000])
def test_a_deeply_nested_body_is_a_json_400_not_a_500(api, depth):
    """issue 25: 100,000 nested lists made the parser recurse out (a 500)."""
    agent = api("level1_agent")
    body = "[" * depth + "]" * depth
    r = agent.client.post("/api/incidents", body, content_type="application/json")
    assert r.status_code == 400 and "32 levels" in errors(r)[0]["message"]
    # brackets inside a text do not count, and an ordinary body is untouched
    text = '{"summary": "' + "[" * 50 + '"}'
    r = agent.client.post("/api/incidents", text, content_type="application/json")
    assert r.status_code == 422 and "levels" not in r.content.decode()
    assert Incident.objects.count() == 0
