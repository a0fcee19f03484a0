"""The degraded-mode registry (seed 004 annex 1), the sheet referents reconcile from: an
IPP is an IPP, a birth date is read in the institution's order, a patient keyed twice is
caught (issue 24)."""

import datetime as dt

import pytest
from django.test import Client

from escalade.core.errors import Invalid
from escalade.runbooks import rules, services
from escalade.runbooks.forms import EntryForm
from escalade.runbooks.models import RegistryEntry

pytestmark = pytest.mark.django_db

LEA = {"last_name": "Durand", "first_name": "Léa", "birth_date": dt.date(1980, 2, 1)}


def _entry(**more):
    return {**LEA, "exam": "Radio thorax", "modality": "CR", **more}


def test_ipp_rules():
    assert rules.ipp_kind("P2026000001") == "provisional"
    assert rules.ipp_kind("p2026000001") == "provisional"
    assert rules.ipp_kind("12345678") == "known"
    assert rules.ipp_kind("IRM genou") is None
    assert rules.ipp_kind("PX12") is None
    assert rules.ipp_kind("123", r"[0-9]{3}") == "known"


def test_typed_dates_follow_one_order_never_the_browsers():
    assert rules.parse_typed_date("12031957", "dmy") == dt.date(1957, 3, 12)
    assert rules.parse_typed_date("12/03/1957", "dmy") == dt.date(1957, 3, 12)
    assert rules.parse_typed_date("1957-03-12", "ymd") == dt.date(1957, 3, 12)
    assert rules.parse_typed_date("19570312", "ymd") == dt.date(1957, 3, 12)
    assert rules.parse_typed_date("31/02/1957", "dmy") is None
    assert rules.parse_typed_date("12/03/57", "dmy") is None  # which century?
    assert rules.date_order("FR") == "dmy" and rules.date_order("CA") == "ymd"


def test_the_form_reads_the_birth_date_in_pau_as_pau_writes_it(pau):
    from django.utils import translation

    form = EntryForm(
        {"last_name": "Roy", "first_name": "Jean", "birth_date": "12031957", "exam": "IRM"}
        | {"modality": "MR"},
        institution=pau,
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == dt.date(1957, 3, 12)
    with translation.override("fr-ca"):  # whatever a previous test left active
        assert 'placeholder="JJ/MM/AAAA"' in str(form["birth_date"])
    assert 'type="date"' not in str(form["birth_date"])


def test_an_exam_name_is_not_taken_for_an_ipp(pau, crew):
    outage = services.activate(crew["it_technician"], pau, "case4_ris_pacs")
    with pytest.raises(Invalid) as caught:
        services.add_entry(crew["telehealth_technician"], outage, _entry(ipp="Radio thorax"))
    assert caught.value.as_errors()[0]["field"] == "ipp"
    provisional = services.add_entry(
        crew["telehealth_technician"], outage, _entry(ipp="p2026000042")
    )
    assert provisional.ipp == "P2026000042" and provisional.provisional
    known = services.add_entry(
        crew["telehealth_technician"],
        outage,
        _entry(last_name="Martin", ipp="12345678"),
    )
    assert not known.provisional


def test_the_same_patient_twice_is_a_warning_to_confirm(pau, crew):
    tech = crew["telehealth_technician"]
    outage = services.activate(crew["it_technician"], pau, "case4_ris_pacs")
    first = services.add_entry(tech, outage, _entry())
    with pytest.raises(Invalid) as caught:
        services.add_entry(tech, outage, _entry(last_name="DURAND", exam="Scanner"))
    error = caught.value.as_errors()[0]
    assert error["code"] == "possible_duplicate" and str(first.pk) in error["message"]
    assert RegistryEntry.objects.count() == 1
    services.add_entry(tech, outage, _entry(exam="Scanner", confirm_duplicate=True))
    assert RegistryEntry.objects.count() == 2
    # the page asks with a box to tick, then takes it
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(tech)
    form = {"last_name": "Durand", "first_name": "Léa", "birth_date": "01/02/1980"}
    form |= {"exam": "Echo", "modality": "US"}
    page = client.post(f"/outages/{outage.pk}/entries/", form)
    assert page.status_code == 422
    html = page.content.decode()
    assert 'type="checkbox" name="confirm_duplicate"' in html and "already" in html
    again = client.post(f"/outages/{outage.pk}/entries/", form | {"confirm_duplicate": "on"})
    assert again.status_code == 302 and RegistryEntry.objects.count() == 3
