"""What requesters write by e-mail is personal health information (issue 25, finding 2):
a clinician's message naming a patient was read by every role through the API, found by
its surname, unaudited. Now only the roles allowed to see patients' information read it
(each display recorded) or find an incident by its words."""

import pytest
from django.test import Client

from escalade.accounts.services import create_api_token
from escalade.core.models import AuditEvent
from escalade.incidents.models import Incident
from escalade.mailin import services
from escalade.mailin.models import Mailbox

from .factories import mail

pytestmark = pytest.mark.django_db

SECRET = "Tremblaywicz"  # a patient's surname no other text holds


def api(user, lang="en"):
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE=lang)


@pytest.fixture
def incident(mailbox):
    box = Mailbox.objects.select_related("institution").get(pk=mailbox.pk)
    services.receive(
        box,
        mail(
            subject="Résultat non transmis",
            body=f"Bonjour, le résultat de Mme Lise {SECRET} (née le 1951-03-02) manque.",
        ),
        via="smtp",
    )
    return Incident.objects.get()


def test_other_roles_see_the_summary_and_that_the_text_is_restricted(incident, staff):
    agent = api(staff["level1_agent"])
    (message,) = [
        m
        for m in agent.get(f"/api/incidents/{incident.number}/messages").json()["items"]
        if m["direction"] == "in"
    ]
    assert message["restricted"] is True and SECRET not in str(message)
    shown = agent.get(f"/api/incidents/{incident.number}")
    assert shown.json()["summary"] == "Résultat non transmis"
    assert SECRET not in shown.content.decode()
    page = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    page.force_login(staff["level1_agent"])
    html = page.get(f"/incidents/{incident.number}/").content.decode()
    assert SECRET not in html and "Le texte et les pièces jointes sont restreints" in html
    assert AuditEvent.objects.filter(action="phi_viewed").count() == 0


def test_the_roles_allowed_read_it_and_each_display_is_recorded(incident, staff):
    page = Client(HTTP_ACCEPT_LANGUAGE="en")
    page.force_login(staff["clinical_coordinator"])
    html = page.get(f"/incidents/{incident.number}/").content.decode()
    assert SECRET in html
    seen = AuditEvent.objects.get(action="phi_viewed")
    assert (seen.actor, seen.data["purpose"]) == (staff["clinical_coordinator"], "incident page")


def test_the_text_search_finds_mail_words_only_for_the_roles_allowed(incident, staff):
    found = api(staff["manager"]).get("/api/incidents", {"q": SECRET}).json()
    assert [i["number"] for i in found["items"]] == [incident.number]
    assert api(staff["level2_analyst"]).get("/api/incidents", {"q": SECRET}).json()["items"] == []
    # the subject's words are everyone's
    assert api(staff["level2_analyst"]).get("/api/incidents", {"q": "transmis"}).json()["items"]
