"""The manager is told which it is: a possible impact or an impact on a patient's safety,
with the incident's summary and site (seed 000 step 12; issue 24)."""

import pytest
from django.utils import translation

from escalade.incidents import services
from escalade.incidents.tests.factories import log
from escalade.notifications.models import Notification, OutgoingMail
from escalade.notifications.services import render

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "level, words, mots",
    [
        ("possible", "Possible impact", "Répercussions possibles"),
        ("confirmed", "A patient's safety was affected", "La sécurité d'un patient a été touchée"),
    ],
)
def test_the_manager_is_told_which_impact_with_summary_and_site(cusm, team, level, words, mots):
    incident = log(team["level1_agent"], cusm, symptom="codec", summary="Frozen image in ER")
    services.flag_patient_safety(team["level1_agent"], incident, level, "Consult cut short")
    note = Notification.objects.get(user=team["manager"])
    with translation.override("en"):
        text = render(note)
    assert words in text and "Frozen image in ER" in text
    assert incident.requester_site in text
    mail = next(m for m in OutgoingMail.objects.all() if team["manager"].email in m.to)
    assert mots in mail.body and "Frozen image in ER" in mail.body  # in the manager's French
    if level == "confirmed":
        assert "Possible" not in text
