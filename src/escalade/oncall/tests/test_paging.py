"""Paging until someone acknowledges: a major incident pages the person on call, the
next one after the pack's wait, and the first acknowledgement (a link from a phone, the
API) stops it; each step pages once."""

import datetime as dt
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.incidents.tests.factories import log
from escalade.notifications.models import Notification, OutgoingMail
from escalade.oncall import services
from escalade.oncall.models import Page, Paging

pytestmark = pytest.mark.django_db
MTL = ZoneInfo("America/Montreal")
MONDAY_10 = dt.datetime(2026, 12, 7, 10, 0, tzinfo=MTL)  # Sophie Tremblay's day (tech)


@pytest.fixture
def people(cusm, make_user):
    return {
        "tech": make_user(
            "telehealth_technician", [cusm], username="tech", email="st@cct.example.org"
        ),
        "chieftech": make_user("chief_telehealth_technician", [cusm], username="chieftech"),
        "agent": make_user("level1_agent", [cusm], username="agent-paging"),
        "requester": make_user("requester", [cusm], username="req-paging"),
    }


def test_a_major_incident_pages_the_person_on_call_then_the_next_until_acknowledged(people, cusm):
    with time_machine.travel(MONDAY_10, tick=False):
        incident = log(people["agent"], cusm, symptom="bridge")
    paging = Paging.objects.get(incident=incident)
    rows = list(Page.objects.filter(paging=paging).values_list("username", "channel", "state"))
    assert rows == [("tech", "app", "sent"), ("tech", "email", "sent")]
    assert Notification.objects.filter(user=people["tech"], kind="paged").count() == 1
    assert (paging.step, paging.next_at) == (1, MONDAY_10 + dt.timedelta(minutes=10))
    # ten minutes without an answer: the next in turn (Tran Nguyen, no account yet)
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=11), tick=False):
        assert services.run_step(paging.pk, 1, 1) is True
        assert services.run_step(paging.pk, 1, 1) is False  # a task run twice pages no one
    assert list(Page.objects.filter(paging=paging).values_list("username", "state")) == [
        ("tech", "expired"),
        ("tech", "expired"),
        ("t.nguyen", "failed"),  # no account yet: not reachable in the app
    ]
    # the e-mail of the first page carries a link that works from a phone, no sign-in
    (body,) = [m.body for m in OutgoingMail.objects.all() if "st@cct.example.org" in m.to]
    link = re.search(r"https?://\S+/pages/\d+/ack/\S+/", body).group(0)
    path = link.split("127.0.0.1:8000", 1)[-1]
    phone = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    shown = phone.get(path)
    assert shown.status_code == 200 and 'id="ack-button"' in shown.content.decode()
    assert Paging.objects.get(pk=paging.pk).state == "running"  # showing it changed nothing
    done = phone.post(path).content.decode()
    assert 'id="ack-state"' in done
    paging.refresh_from_db()
    assert paging.state == "acknowledged" and paging.acknowledged_by == people["tech"]
    with time_machine.travel(MONDAY_10 + dt.timedelta(minutes=21), tick=False):
        assert services.run_step(paging.pk, 2, 1) is False  # the manager is not paged
    assert phone.get(path.replace("/ack/", "/ack/x")).status_code == 404


def test_the_in_app_page_links_to_the_pages_and_leaves_the_address_to_the_e_mail(people, cusm):
    """The list of notifications says the page and links to the incident's pages; the
    address to acknowledge without signing in is the e-mail's, not the list's (it made
    the list as wide as the address on a phone)."""
    with time_machine.travel(MONDAY_10, tick=False):
        incident = log(people["agent"], cusm, symptom="bridge")
    client = Client()
    client.force_login(people["tech"])
    client.cookies["django_language"] = "fr-ca"
    html = client.get("/notifications/").content.decode()
    row = html[html.index(f'href="/oncall/incidents/{incident.number}/pages/"') :]
    row = row[: row.index("</li>")]
    assert f"Vous êtes appelé : incident {incident.number}," in row
    assert "ne soit pas appelée.</a>" in row and "/ack/" not in row
    (body,) = [m.body for m in OutgoingMail.objects.all() if "st@cct.example.org" in m.to]
    assert re.search(r"/pages/\d+/ack/\S+/", body)


def test_the_api_lists_the_pages_and_acknowledges_once(people, cusm):
    with time_machine.travel(MONDAY_10, tick=False):
        incident = log(people["agent"], cusm, symptom="bridge")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(people['tech'])}")
    pages = api.get(f"/api/incidents/{incident.number}/pages").json()["items"]
    assert [(p["to"], p["channel"], p["state"]) for p in pages] == [
        ("tech", "app", "sent"),
        ("tech", "email", "sent"),
    ]
    outsider = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(people['requester'])}")
    assert outsider.post(f"/api/pages/{pages[0]['id']}/ack").status_code in (403, 404)
    r = api.post(
        f"/api/pages/{pages[0]['id']}/ack", json.dumps({}), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "acknowledged", r.content
    again = api.post(f"/api/pages/{pages[0]['id']}/ack")
    assert again.status_code == 200 and Paging.objects.get().state == "acknowledged"


def test_an_institution_without_a_policy_pages_no_one(ontario, desk):
    log(desk["level1_agent"], ontario, symptom="viewer_access")
    assert not Paging.objects.exists()


def test_the_incident_page_says_who_was_paged(people, cusm):
    with time_machine.travel(MONDAY_10, tick=False):
        incident = log(people["agent"], cusm, symptom="bridge")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    client.force_login(people["chieftech"])
    html = client.get(f"/incidents/{incident.number}/").content.decode()
    line = html[html.index('id="paging"') :]
    assert "1 personne appelée" in line[: line.index("</dd>")]
    assert "<dt>Appels de garde</dt>" in html  # the fact's name, not its state's
    pages = client.get(f"/oncall/incidents/{incident.number}/pages/").content.decode()
    assert "Sophie Tremblay" in pages and "Accuser réception" in pages  # a lead may
    assert 'id="my-page"' not in pages  # not paged, nothing of theirs to answer
    # the person paged: their own button first, outside the table (which scrolls sideways
    # on a phone), and no second one in it
    client.force_login(people["tech"])
    pages = client.get(f"/oncall/incidents/{incident.number}/pages/").content.decode()
    mine = pages[pages.rindex("<form", 0, pages.index('id="my-page"')) : pages.index('id="pages"')]
    assert "Vous êtes appelé." in mine and "Accuser réception" in mine
    assert "Accuser réception" not in pages[pages.index('id="pages"') :]
    client.post(re.search(r'action="(/[^"]+/ack/)"', mine).group(1))
    assert Paging.objects.get(incident=incident).state == "acknowledged"


def test_a_reply_to_the_page_e_mail_acknowledges_it(people, cusm):
    from escalade.mailin import services as mailin
    from escalade.mailin.models import Mailbox
    from escalade.mailin.tests.factories import mail

    with time_machine.travel(MONDAY_10, tick=False):
        incident = log(people["agent"], cusm, symptom="bridge")
    paging = Paging.objects.get(incident=incident)
    page = Page.objects.get(paging=paging, channel="email")
    (sent,) = [m for m in OutgoingMail.objects.all() if "st@cct.example.org" in m.to]
    box = Mailbox.objects.select_related("institution").get(institution=cusm, code="cct")
    assert sent.from_email == box.address  # a reply comes back to Escalade
    assert page.code in sent.body and page.message_id
    quoted = "\n".join(f"> {line}" for line in sent.body.splitlines())

    def reply(sender, body, n):
        raw = mail(
            subject=f"Re: {sent.subject}",
            body=body,
            sender=sender,
            to=box.address,
            msgid=f"<reply-{n}@cct.example.org>",
            In_Reply_To=page.message_id,
        )
        return mailin.receive(box, raw, via="smtp")

    # from someone else, or without the page's code: recorded, nothing acknowledged, and
    # no incident opened for it
    other = reply("Quelqu'un <intrus@example.org>", f"OK\n\n{quoted}", 1)
    bare = reply("Sophie Tremblay <st@cct.example.org>", "OK je m'en occupe", 2)
    assert (other.state, bare.state) == ("routed", "routed")
    assert "nothing done" in other.reason or "rien" in other.reason
    assert Paging.objects.get(pk=paging.pk).state == "running"
    # her reply, the page quoted under it: acknowledged, the others told
    done = reply("Sophie Tremblay <st@cct.example.org>", f"J'arrive.\n\n{quoted}", 3)
    assert done.state == "routed" and done.incident_id is None
    paging.refresh_from_db()
    assert paging.state == "acknowledged", done.reason
    assert Page.objects.get(pk=page.pk).state == "acknowledged"
    from escalade.core.models import AuditEvent

    assert AuditEvent.objects.get(action="page_acknowledged").data["via"] == "email"
