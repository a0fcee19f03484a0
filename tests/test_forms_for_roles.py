"""A form is shown only to roles that can use it, and every action says it was done (issue 14: the level-3 coordinator was
shown "Schedule a session" and refused only after filling it in). For every role, every
POST form on the main pages is sent as shown: none may answer 403."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from conftest import ROOT
from escalade.accounts.choices import Role

pytestmark = pytest.mark.django_db

# Forms every signed-in person may send (the header's own), not actions of a page.
EVERYONE = ("/logout/", "/i18n/", "/institution/", "/notifications/", "/alive/", "/search/")


class Forms(HTMLParser):
    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._in = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._in = {"action": a.get("action") or "", "data": {}}
            self.forms.append(self._in)
        elif tag in ("input", "button") and self._in is not None and a.get("name"):
            if a.get("type") in ("hidden", "submit") or tag == "button":
                self._in["data"].setdefault(a["name"], a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._in = None


@pytest.fixture
def world(cusm, make_user):
    from escalade.core.packs import load_pack
    from escalade.incidents.tests.factories import log
    from escalade.telesessions import services as sessions

    ontario = load_pack(ROOT / "packs" / "ontario-viewer").institution
    users = {r: make_user(r, [cusm, ontario], username=f"w-{r}") for r in Role.values}
    incident = log(users["level1_agent"], cusm, symptom="codec")
    start = timezone.now() + dt.timedelta(hours=1)
    session = sessions.create_session(
        users["level1_agent"],
        cusm,
        sessions.SessionInput(
            kind="point_to_point",
            start=start,
            end=start + dt.timedelta(hours=1),
            requesting_site="Gatineau",
            provider_sites=["Montréal"],
        ),
    )
    from escalade.problems.models import Problem

    problem = Problem.objects.create(institution=cusm, title="Codec freezes at Gatineau")
    pages = [
        f"/problems/{problem.pk}/",
        "/incidents/",
        "/incidents/new/",
        f"/incidents/{incident.number}/",
        f"/incidents/{incident.number}/report/",
        "/telesessions/",
        f"/telesessions/{session.pk}/",
        "/telesessions/follow-up/",
        "/problems/",
        "/notices/",
        "/renewals/",
        "/statistics/",
    ]
    return users, pages


@pytest.mark.parametrize("role", Role.values)
def test_no_form_is_shown_that_the_role_cannot_send(world, role):
    users, pages = world
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(users[role])
    refused, silent = [], []
    for page in pages:
        r = c.get(page)
        if r.status_code != 200:
            continue
        parser = Forms()
        parser.feed(r.content.decode())
        for form in parser.forms:
            action = form["action"] or page
            if action.startswith(EVERYONE):
                continue
            answer = c.post(action, form["data"])
            text = answer.content.decode()
            if answer.status_code == 403 or re.search(r"role does not allow|rôle ne permet", text):
                refused.append(f"{page} -> {action}")
            if answer.status_code == 302:  # done: the next page says so
                after = c.get(answer["Location"]).content.decode()
                if 'class="messages"' not in after:
                    silent.append(f"{page} -> {action}")
    assert refused == []
    assert silent == []  # a message after every action
