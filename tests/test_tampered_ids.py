"""A tampered or missing hidden id in a form gives a clear error, not a 500 (issue 15,
item 9): the contact to confirm, the interruption to acknowledge, the licence to decide,
the corrective measure to mark done."""

import pytest
from django.test import Client

from escalade.accounts.choices import Role

pytestmark = pytest.mark.django_db

BAD = ["abc", "", "99999999999999999999", "-1", "1 OR 1=1"]


@pytest.fixture
def manager(cusm, ontario, make_user):
    user = make_user(Role.MANAGER.value, [cusm, ontario], username="tamper-manager")
    user.is_superuser = True  # every page and form of both institutions
    user.save()
    c = Client(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    c.force_login(user)
    return c


@pytest.mark.parametrize("value", BAD)
def test_a_tampered_id_is_a_clear_error(manager, cusm, value):
    from escalade.catalog.models import Organisation
    from escalade.problems.models import Problem

    org = Organisation.objects.first()
    problem = Problem.objects.create(institution=cusm, title="Codec")
    posts = [
        (f"/organisations/{org.code}/", {"action": "confirm", "contact": value}),
        ("/interruptions/", {"id": value}),
        ("/renewals/", {"action": "decide", "licence": value, "decision": "renew"}),
        (f"/problems/{problem.pk}/", {"action": "done", "measure": value}),
    ]
    manager.post("/institution/", {"institution": org.institution.code})
    for path, data in posts:
        r = manager.post(path, data)
        assert r.status_code < 500, (path, value, r.status_code)
        if r.status_code != 302:
            assert "This reference is not valid" in r.content.decode(), (path, value)
