"""How many SQL statements the hot requests issue (issue 29): the intake of a call through
the API, a read of the queue (a workstation's poll: runbooks/tests/test_public_reads.py). A change that adds statements to these
paths fails here, and must say why by raising the number in the same commit."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from escalade.accounts.services import create_api_token

pytestmark = pytest.mark.django_db

# the statements each request may issue, as measured when this test was written
# (2026-12-06, SQLite and PostgreSQL alike): the intake of a web request with its
# technician assigned, told and clocked, savepoint included (18 before the clocks
# stopped reading a new incident three times); a page of the queue: the token, the ids
# of the list's newest rows (its count), the page's rows by id, their assignees, and on
# PostgreSQL first the planner's estimate (a list it puts above 10,000 rows is not
# counted: core/pagination.py)
INTAKE = 15
QUEUE_PAGE = {"sqlite": 4, "postgresql": 5}


def _body(n: int) -> dict:
    return {
        "institution": "cusm",
        "channel": "web",
        "requester": {"name": f"Dr Tremblay {n}", "role": "clinician", "site": "Lachine"},
        "symptom": "sound_simple",
        "summary": "No sound in the room",
    }


def _counted(call) -> tuple:
    with CaptureQueriesContext(connection) as seen:
        response = call()
    return response, [q["sql"] for q in seen.captured_queries]


def test_the_intake_and_the_queue_issue_no_more_statements_than_measured(staff):
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(staff['level1_agent'])}")
    api.post("/api/incidents", _body(0), content_type="application/json")  # warm: packs
    response, statements = _counted(
        lambda: api.post("/api/incidents", _body(1), content_type="application/json")
    )
    assert response.status_code == 201, response.content
    assert len(statements) <= INTAKE, "\n".join(statements)
    response, statements = _counted(lambda: api.get("/api/incidents?institution=cusm"))
    assert response.status_code == 200
    assert len(statements) <= QUEUE_PAGE[connection.vendor], "\n".join(statements)
