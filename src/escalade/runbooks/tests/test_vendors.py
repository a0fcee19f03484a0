"""The vendor directory and the call sheet (seed 004, annex 5): what to say when calling
Philips or Nicesoft about an outage, the vendor's ticket recorded back on it."""

import datetime as dt

import pytest
from django.test import Client

from escalade.runbooks import services

from .test_api import Api

pytestmark = pytest.mark.django_db


def test_the_directory_and_a_call_sheet_for_one_exam(pau, crew):
    it = crew["it_technician"]
    outage = services.activate(it, pau, "case3_pacs")
    entry = services.add_entry(
        it,
        outage,
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": dt.date(1980, 2, 1),
            "exam": "Scanner",
            "modality": "CT",
            "accession_number": "A2026-0042",
        },
    )
    api = Api(it, lang="en")
    vendors = api.get("/api/vendors").json()["items"]
    assert [v["code"] for v in vendors] == ["nicesoft", "philips", "imadis"]
    sheet = api.get("/api/vendors/philips/call-sheet", outage=outage.pk, entry=entry.pk).json()
    assert [r["value"] for r in sheet["references"]] == ["105000189", "4585-7716"]
    assert sheet["say"][0] == "the reference of your equipment" and len(sheet["say"]) == 4
    assert sheet["exam"] == {
        "accession_number": "A2026-0042",
        "date": sheet["exam"]["date"],
        "modality": "CT",
        "exam": "Scanner",
    }
    assert "Durand" not in str(sheet)  # no identity on a call sheet
    assert sheet["site"] == "Centre hospitalier de Pau, imaging"
    assert api.get("/api/vendors/acme/call-sheet").status_code == 404


def test_the_call_sheet_page_records_the_vendor_ticket(pau, crew):
    it = crew["it_technician"]
    outage = services.activate(it, pau, "case7_archive")
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    client.force_login(it)
    page = client.get(f"/outages/{outage.pk}/call/philips/").content.decode()
    assert "4585-7716" in page and "la référence de votre équipement" in page
    r = client.post(
        f"/outages/{outage.pk}/vendor-refs/", {"vendor": "philips", "reference": "SR-778812"}
    )
    assert r.status_code == 302
    outage.refresh_from_db()
    assert outage.vendor_refs == [{"vendor": "philips", "reference": "SR-778812"}]
