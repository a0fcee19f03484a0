"""A summary the product writes is shown in the reader's language, not the clicker's
(issue 24: French summaries on the English wallboard)."""

import pytest
from django.test import Client
from django.utils import translation

from escalade.telesessions import services
from escalade.telesessions.tests.factories import make_session

pytestmark = pytest.mark.django_db


def test_a_session_incident_started_in_french_reads_in_english_on_an_english_page(cusm, staff):
    session = make_session(staff["level1_agent"], cusm)
    with translation.override("fr-ca"):  # the technician works in French
        protocol = services.start_troubleshooting(
            staff["telehealth_technician"], session, symptom="codec"
        )
    incident = protocol.incident
    french = f"Problème durant la séance de télésanté n° {session.pk}"
    english = f"Trouble during the telehealth session #{session.pk}"
    for lang, shown, hidden in (("en", english, french), ("fr-ca", french, english)):
        c = Client(HTTP_ACCEPT_LANGUAGE=lang)
        c.force_login(staff["manager"])
        for path in ("/wallboard/", "/incidents/?queue=all", f"/incidents/{incident.number}/"):
            html = c.get(path).content.decode()
            assert shown[:30] in html and hidden[:30] not in html, (
                lang,
                path,
            )  # wallboard: 40 chars
    # the search finds it by the words of either language
    from escalade.incidents import selectors

    qs = selectors.visible_incidents(staff["manager"], cusm)
    assert list(selectors.search(qs, q="trouble telehealth")) == [incident]
    assert list(selectors.search(qs, q="problème séance")) == [incident]
