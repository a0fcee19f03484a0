"""Period statistics checked against a small data set computed by hand; exports read back."""

import datetime as dt
import io
import re

import pytest
import time_machine
from openpyxl import load_workbook

from escalade.incidents import services
from escalade.incidents.models import Incident
from escalade.incidents.tests.factories import log
from escalade.reports import stats

pytestmark = pytest.mark.django_db
MTL = dt.timezone(dt.timedelta(hours=-4))
P06 = stats.Range(dt.date(2026, 8, 19), dt.date(2026, 9, 15), "2026-P06")  # the default rule's P6


@pytest.fixture
def dataset(cusm, staff):
    """In P06 (Aug 19 - Sep 15): 2 minor (1 on the first call), 2 major (1 escalated); outside: 1."""
    agent, analyst = staff["level1_agent"], staff["level2_analyst"]
    with time_machine.travel(dt.datetime(2026, 8, 20, 9, 0, tzinfo=MTL), tick=False):
        a = log(agent, cusm, symptom="sound_simple", channel="web", requester_site="HGM")
        b = log(agent, cusm, symptom="pc_simple", channel="email", resolved_on_first_call=True)
        c = log(agent, cusm, symptom="codec", channel="phone", requester_site="HGM")
        d = log(agent, cusm, symptom="sound_simple", channel="phone")
    with time_machine.travel(dt.datetime(2026, 8, 20, 9, 30, tzinfo=MTL), tick=False):
        services.escalate(agent, d, to_level=2, reason="not solved")  # first response: 30 min
        services.start(agent, a)  # first response: 30 min
    with time_machine.travel(dt.datetime(2026, 8, 20, 11, 0, tzinfo=MTL), tick=False):
        services.resolve(analyst, c, "codec restarted")  # resolution: 120 min; first response 120
    with time_machine.travel(dt.datetime(2026, 9, 16, 0, 30, tzinfo=MTL), tick=False):
        log(agent, cusm, symptom="lan")  # P07 (local date Sept 16)
    services.flag_patient_safety(agent, c, "possible")
    return a, b, c, d


def test_every_figure_against_the_hand_computed_set(cusm, dataset):
    fig = stats.figures(cusm, P06)
    assert (fig["total"], fig["minor"], fig["major"]) == (4, 2, 2)
    cats = {row["code"]: (row["minor"], row["major"]) for row in fig["by_category"]}
    assert cats == {"sound_simple": (1, 1), "pc_simple": (1, 0), "codec": (0, 1)}
    assert {row["level"]: row["count"] for row in fig["by_level"]} == {1: 3, 2: 1}
    assert {row["channel"]: row["count"] for row in fig["by_channel"]} == {
        "phone": 2,
        "email": 1,
        "web": 1,
    }
    assert fig["first_call_resolved"] == 1 and fig["first_call_resolution_rate"] == 0.25
    # b is resolved at intake (0 min); c after 120 min: median 60, p90 = 0 + 0.9 * 120
    assert fig["time_to_resolution"] == {"count": 2, "median_min": 60.0, "p90_min": 108.0}
    # first responses: a 30 (taken in charge), d 30 (escalated), c 120 (resolved); b was
    # closed on the call itself and has no later response
    assert fig["time_to_first_response"] == {"count": 3, "median_min": 30.0, "p90_min": 102.0}
    assert fig["patient_safety_events"] == 1
    assert fig["by_category"][0]["filters"] == {
        "from": "2026-08-19",
        "to": "2026-09-15",
        "symptom": "sound_simple",
    }


def test_filters_by_site_and_category(cusm, dataset):
    assert stats.figures(cusm, P06, site="hgm")["total"] == 2
    assert stats.figures(cusm, P06, symptom="sound_simple")["total"] == 2


def test_the_api_and_its_exports(api, dataset):
    agent = api("level1_agent")
    out = agent.get("/api/stats", period="2026-P06").json()
    assert (out["minor"], out["major"]) == (2, 2), out
    assert (
        agent.get("/api/stats", **{"from": "2026-09-16", "to": "2026-09-16"}).json()["major"] == 1
    )
    assert agent.get("/api/stats", period="2026-P14").status_code == 422
    groups = agent.get("/api/stats", period="2026-P06", group_by="site").json()["groups"]
    assert {g["site"]: (g["minor"], g["major"]) for g in groups}["HGM"] == (1, 1)
    assert agent.get("/api/stats", period="2026-P06", group_by="color").status_code == 422
    xlsx = agent.get("/api/stats/export", period="2026-P06", format="xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == [
        "Summary",
        "By category",
        "By level",
        "By channel",
        "Outages by system",
    ]
    summary = book["Summary"]
    assert "2026-P06" in summary["A1"].value and "2026-08-19" in summary["A1"].value
    values = {row[0].value: row[1].value for row in summary.iter_rows(min_row=4)}
    assert (values["Minor"], values["Major"]) == (2, 2)
    csv_text = agent.get("/api/stats/export", period="2026-P06", format="csv").content.decode(
        "utf-8-sig"
    )
    assert "By category" in csv_text and "Simple sound problem,1,1" in csv_text
    pdf = agent.get("/api/stats/export", period="2026-P06", format="pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    periods = agent.get("/api/fiscal-periods", year=2026).json()["items"]
    assert len(periods) == 13 and periods[0] == {
        "code": "2026-P01",
        "start": "2026-04-01",
        "end": "2026-04-28",
        "generated": True,
    }


def test_an_official_table_replaces_the_generated_periods(api):
    from escalade.core.fiscal import default_periods, import_csv

    rows = ["year,period,start,end"]
    for p in default_periods(2026):
        start, end = p.start, p.end
        if p.number == 1:
            end += dt.timedelta(days=1)
        elif p.number == 2:
            start += dt.timedelta(days=1)
        rows.append(f"2026,{p.number},{start},{end}")
    assert import_csv("\n".join(rows)) == {2026: 13}
    out = api("level1_agent").get("/api/fiscal-periods", year=2026).json()["items"]
    assert out[0]["end"] == "2026-04-29" and out[0]["generated"] is False
    with pytest.raises(ValueError, match="P02"):
        import_csv("\n".join(rows).replace("2026,2,2026-04-30", "2026,2,2026-05-02"))
    assert Incident.objects.count() == 0


def test_the_statistics_page_links_each_figure_to_its_incidents(client, staff, dataset):
    client.force_login(staff["manager"])
    client.cookies["django_language"] = "en"
    html = client.get("/statistics/", {"period": "2026-P06"}).content.decode()
    assert "<svg" in html and "Simple sound problem" in html
    link = "/incidents/?queue=all&amp;severity=major&amp;from=2026-08-19&amp;to=2026-09-15"
    assert f'href="{link}" id="fig-major">2</a>' in html
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "2 incidents" in listed


def test_the_exports_give_the_first_call_rate_as_a_percentage(cusm, dataset):
    from django.utils import translation
    from pypdf import PdfReader

    from escalade.reports import exports

    fig = stats.figures(cusm, P06)
    with translation.override("en"):
        rows = {str(r[0]): r[1] for _t, _h, body in exports.tables(fig) for r in body if r}
    assert rows["First-call resolution rate (%)"] == 25.0
    # the PDF is read by people: in French, 25,0 (the CSV and XLSX keep the number)
    with translation.override("fr-ca"):
        text = PdfReader(io.BytesIO(exports.to_pdf(fig, cusm))).pages[0].extract_text()
    assert re.search(r"Taux de résolution au premier appel \(%\)\s+25,0\b", text), text


def test_the_statistics_page_takes_a_range_of_dates(client, staff, dataset):
    """From 2026-08-20 to 2026-08-20: the four incidents of that day; the exports follow
    the range; levels and channels are two tables; bad dates are said next to the field."""
    import re

    client.force_login(staff["manager"])
    client.cookies["django_language"] = "en"
    page = client.get("/statistics/", {"from": "2026-08-20", "to": "2026-08-20"})
    html = page.content.decode()
    assert page.status_code == 200
    link = "/incidents/?queue=all&amp;severity=major&amp;from=2026-08-20&amp;to=2026-08-20"
    assert f'href="{link}" id="fig-major">2</a>' in html
    assert "/api/stats/export?from=2026-08-20&amp;to=2026-08-20&amp;institution=cusm" in html
    level = re.search(r'<table class="list" id="by-level">.*?</table>', html, re.S).group(0)
    channel = re.search(r'<table class="list" id="by-channel">.*?</table>', html, re.S).group(0)
    assert "Channel" not in level and "Phone" in channel and "Phone" not in level
    bad = client.get("/statistics/", {"from": "2026-08-20", "to": "2026-08-01"})
    assert bad.status_code == 422
    assert 'id="to-error">The end must come after the start.' in bad.content.decode()
