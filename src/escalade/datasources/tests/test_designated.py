"""The designated person for personal health information (seed 002) is told and reads
what is theirs: their list of sealed reports, an in-app notice of each, the data-source
page the Monday e-mail links to; the worksheet's arrival is told at once (issue 24)."""

import pytest
from django.test import Client
from django.utils import translation

from escalade.datasources import services
from escalade.notifications.models import Notification, OutgoingMail
from escalade.notifications.services import render

from .conftest import MARKER
from .test_terminology import provinces_workbook

pytestmark = pytest.mark.django_db


def _page(user, lang="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


def test_the_designated_person_has_their_list_notice_and_source_page(
    ontario, desk, designate, report_bytes
):
    from escalade.catalog.models import Organisation

    org = Organisation.objects.get(code="hopital-nord")
    report = services.receive_report(desk["level2_analyst"], org, "wce.hl7", report_bytes)
    notice = Notification.objects.get(user=designate, kind="conformance_report")
    assert notice.link == f"/conformance-reports/{report.pk}/"
    with translation.override("en"):
        assert f"#{report.pk}" in render(notice)
    client = _page(designate)
    listing = client.get("/conformance-reports/")
    assert listing.status_code == 200
    assert f'href="/conformance-reports/{report.pk}/"' in listing.content.decode()
    assert MARKER not in listing.content.decode()  # the list holds no content
    source = client.get("/datasources/nord-lab/")
    assert source.status_code == 200 and 'id="mapping-form"' not in source.content.decode()
    # a clinical coordinator who is no designated person still gets 403
    other = desk["requester"]
    assert _page(other).get("/conformance-reports/").status_code == 403


def test_the_links_work_whatever_institution_the_reader_picked_last(
    ontario, cusm, desk, designate, report_bytes
):
    from escalade.accounts.models import Membership
    from escalade.catalog.models import Organisation

    Membership.objects.filter(user=designate).update(is_default=False)
    Membership.objects.create(user=designate, institution=cusm, is_default=True)
    org = Organisation.objects.get(code="hopital-nord")
    report = services.receive_report(desk["level2_analyst"], org, "wce.hl7", report_bytes)
    client = _page(designate)
    assert client.get(f"/conformance-reports/{report.pk}/").status_code == 200
    assert client.get("/datasources/nord-lab/").status_code == 200
    assert client.get("/conformance-reports/").status_code == 200


def test_a_worksheet_by_mail_is_told_to_the_designated_persons_at_once(ontario, designate):
    from escalade.datasources.models import DataSource

    source = DataSource.objects.get(code="nord-lab")
    proposal = services.propose_worksheet(source, provinces_workbook(), "codes.xlsx")
    notice = Notification.objects.get(user=designate, kind="worksheet_arrived")
    with translation.override("en"):
        assert notice.link == f"/datasources/nord-lab/proposals/{proposal.pk}/"
        assert "5 new codes, 0 mappings changed: review it and approve it" in render(notice)
    told = [m.to for m in OutgoingMail.objects.all() if "Codes on the Fly" in m.subject]
    assert any("n.roy@hopital-nord.example.org" in [a.lower() for a in to] for to in told)


def test_the_report_page_says_each_error_state_and_progress_in_french(
    ontario, desk, designate, report_bytes
):
    import re

    from escalade.catalog.models import Organisation

    org = Organisation.objects.get(code="hopital-nord")
    report = services.receive_report(desk["level2_analyst"], org, "wce.hl7", report_bytes)
    html = _page(designate, "fr-ca").get(f"/conformance-reports/{report.pk}/").content.decode()
    states = re.findall(r'<td class="error-state">([^<]*)</td>', html)
    assert states and set(states) == {"À corriger"}
    assert "Messages refusés acceptés de nouveau : 0 sur" in html
    source = _page(desk["manager"], "fr-ca").get("/datasources/nord-lab/").content.decode()
    assert "interface engine" not in source and "LIS · HL7 v2 ORU" in source
