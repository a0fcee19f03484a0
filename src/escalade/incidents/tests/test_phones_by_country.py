"""Phones are read in the institution's country and shown as people there read them
(issue 24): the CH de Pau's call form takes 05 59 92 48 48."""

import pytest
from django.test import Client

from conftest import ROOT
from escalade.core.text import display_phone
from escalade.incidents.services import parse_phone

pytestmark = pytest.mark.django_db


def test_phones_read_and_shown_per_country():
    assert parse_phone("05 59 92 48 48", region="FR") == ("+33559924848", "")
    assert display_phone("+33559924848", "FR") == "05 59 92 48 48"
    assert display_phone("+33559924848", "CA") == "+33 5 59 92 48 48"
    assert display_phone("+15149341934", "CA") == "514 934-1934"
    assert display_phone("+15149341934", "FR") == "+1 514-934-1934"
    assert display_phone("+18662501554") == "1 866 250-1554"


def test_the_pau_call_form_takes_a_french_number(make_user):
    from escalade.core.packs import load_pack
    from escalade.incidents.models import Incident, SymptomCategory

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    agent = make_user("level1_agent", [pau], username="pau-agent")
    symptom = SymptomCategory.objects.filter(institution=pau).first()
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(agent)
    form = {
        "channel": "phone",
        "requester_name": "Dr Lafitte",
        "requester_role": "clinician",
        "requester_site": "Imagerie",
        "requester_phone": "05 59 92 48 48",
        "symptom": symptom.code,
        "summary": "PACS lent",
    }
    bad = client.post("/incidents/new/", {**form, "requester_phone": "05 59"})
    assert bad.status_code in (200, 422)
    html = bad.content.decode()
    errors = html[html.index('id="id_requester_phone_error"') :]
    errors = errors[: errors.index("</ul>")]
    assert "01 23 45 67 89" in errors  # an example as people write it in France
    assert "514-934-1934" not in html
    r = client.post("/incidents/new/", form)
    assert r.status_code == 302, r.content.decode()[-2000:]
    incident = Incident.objects.get()
    assert incident.requester_phone == "+33559924848"
    page = client.get(f"/incidents/{incident.number}/").content.decode()
    assert "05 59 92 48 48" in page


def test_a_french_phone_is_searched_at_the_french_institution(make_user):
    from escalade.core.packs import load_pack
    from escalade.incidents import selectors
    from escalade.incidents.tests.factories import log

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    agent = make_user("level1_agent", [pau], username="pau-agent")
    mine = log(agent, pau, symptom="pacs_down", requester_phone="05 59 92 48 48")
    for typed in ("0559924848", "05 59 92 48 48", "+33 5 59 92 48 48"):
        qs = selectors.search(selectors.visible_incidents(agent, pau), q=typed, region=pau.region)
        assert [i.number for i in qs] == [mine.number], typed
    assert selectors.quick_find(agent, pau, "05.59.92.48.48") == ("phone", "+33559924848")


def test_a_colon_is_written_as_each_language_writes_it(make_user):
    """English: "Owner: ...", "IT on-call: ..."; French: a space before the colon."""
    from escalade.core.packs import load_pack

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    user = make_user("it_technician", [pau], username="pau-it")
    en = Client(HTTP_ACCEPT_LANGUAGE="en")
    en.force_login(user)
    html = en.get("/runbooks/case4_ris_pacs/").content.decode()
    assert "Owner:" in html and " : " not in html and "\u00a0:" not in html
    fr = Client(HTTP_ACCEPT_LANGUAGE="fr-ca")
    fr.force_login(user)
    assert "\u00a0:" in fr.get("/runbooks/case4_ris_pacs/").content.decode()
