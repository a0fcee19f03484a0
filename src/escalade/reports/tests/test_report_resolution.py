"""The major-incident report's resolution starts as the incident's (issue 24)."""

import pytest
from django.test import Client

from escalade.incidents import services
from escalade.incidents.tests.factories import log

pytestmark = pytest.mark.django_db


def test_the_reports_resolution_starts_as_the_incidents(cusm, staff):
    incident = log(staff["level1_agent"], cusm, symptom="codec")
    services.resolve(staff["level2_analyst"], incident, "Codec firmware rolled back to 9.3.")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff["level2_analyst"])
    page = client.get(f"/incidents/{incident.number}/report/")
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('name="resolution"')
    assert "Codec firmware rolled back to 9.3." in html[start : html.index("</textarea>", start)]
