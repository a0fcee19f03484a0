"""Sealed conformance reports kept no longer than the institution allows once handled:
the sealed file, its name and the rejected messages' texts removed; the report's dates,
counts and state stay; opening it then says why there is nothing to show."""

import datetime as dt

import pytest
from django.utils import timezone

from escalade.core import packs, retention
from escalade.core.errors import Conflict
from escalade.datasources import services
from escalade.datasources.models import ConformanceReport, ReportError

pytestmark = pytest.mark.django_db


def test_a_handled_report_loses_its_sealed_content_after_its_period(
    ontario, desk, designate, report_bytes
):
    packs.write_setting(ontario, "retention_days", {"sealed_reports": 90})
    from escalade.catalog.models import Organisation

    org = Organisation.objects.get(code="hopital-nord")
    handled = services.receive_report(desk["level2_analyst"], org, "wce.hl7", report_bytes)
    ConformanceReport.objects.filter(pk=handled.pk).update(state="done")
    assert retention.apply(now=timezone.now() + dt.timedelta(days=89)) == {}
    done = retention.apply(now=timezone.now() + dt.timedelta(days=91))
    assert done == {ontario.code: {"sealed_reports": 1}}
    handled.refresh_from_db()
    assert bytes(handled.sealed) == b"" and handled.errors_total == 2
    assert set(ReportError.objects.values_list("sealed_text", flat=True)) <= {b""}
    with pytest.raises(Conflict):
        services.open_report(designate, handled)
