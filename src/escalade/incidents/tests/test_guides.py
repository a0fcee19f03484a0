"""Level 1's diagnostic guides: from the pack, in both languages, versioned; a call
solved at a step is resolved on the first call with the step recorded, and counted."""

import pytest

from escalade.core.errors import Forbidden, Invalid
from escalade.core.packs import PackError, validate_pack
from escalade.incidents import selectors, services
from escalade.incidents.models import DiagnosticGuide

from .factories import log

pytestmark = pytest.mark.django_db


def test_the_pack_gives_each_guide_in_both_languages(cusm):
    guide = selectors.current_guide(cusm, "sound_simple")
    assert guide.version == 1 and len(guide.steps) == 4
    assert "sourdine" in guide.steps[0]["text"]["fr"] and "mute" in guide.steps[0]["text"]["en"]
    assert selectors.current_guide(cusm, "lan") is None


def test_a_pack_guide_for_an_unknown_symptom_is_refused(tmp_path):
    import shutil

    from conftest import CUSM_PACK

    pack = tmp_path / "pack"
    shutil.copytree(CUSM_PACK, pack)
    (pack / "guides.yaml").write_text(
        "guides:\n  wifi:\n    - text: {en: Restart, fr: Redémarrer}\n", encoding="utf-8"
    )
    with pytest.raises(PackError, match="guides.wifi: unknown symptom 'wifi'"):
        validate_pack(pack)


def test_solved_at_a_step_resolves_on_the_first_call_and_counts_the_step(cusm, staff):
    call = log(staff["level1_agent"], cusm, channel="phone", symptom="codec", guide_step=2)
    assert (call.status, call.severity, call.resolved_on_first_call) == ("resolved", "minor", True)
    assert (call.guide.version, call.guide_step) == (1, 2)
    assert call.guide.step_texts()[1] in call.resolution
    log(staff["level1_agent"], cusm, channel="phone", symptom="codec")  # not solved by it
    guide = selectors.current_guide(cusm, "codec")
    figures = selectors.guide_stats([guide])[guide.pk]
    assert [s["solved"] for s in figures["steps"]] == [0, 1, 0, 0]
    assert (figures["solved"], figures["calls"]) == (1, 2)
    with pytest.raises(Invalid) as err:
        log(staff["level1_agent"], cusm, symptom="codec", guide_step=9)
    assert err.value.as_errors()[0]["field"] == "guide_step"


def test_a_technician_writes_a_new_version_and_old_calls_keep_theirs(cusm, staff):
    solved = log(staff["level1_agent"], cusm, symptom="pc_simple", guide_step=1)
    steps = [
        {"text": {"fr": "Vérifier le câble USB.", "en": "Check the USB cable."}},
        {"text": {"fr": "Redémarrer le PC.", "en": "Restart the PC."}},
    ]
    with pytest.raises(Forbidden):
        services.save_guide(staff["level1_agent"], cusm, "pc_simple", steps)
    with pytest.raises(Invalid) as err:
        services.save_guide(
            staff["telehealth_technician"], cusm, "pc_simple", [{"text": {"fr": "x", "en": ""}}]
        )
    assert err.value.as_errors()[0]["field"] == "steps.0.text.en"
    v2 = services.save_guide(staff["telehealth_technician"], cusm, "pc_simple", steps)
    assert v2.version == 2 and v2.current
    same = services.save_guide(staff["telehealth_technician"], cusm, "pc_simple", steps)
    assert same.pk == v2.pk  # nothing changed: no new version
    solved.refresh_from_db()
    assert solved.guide.version == 1
    assert DiagnosticGuide.objects.filter(symptom__code="pc_simple").count() == 2
    # a call made with the old page still names the version the agent read
    late = log(staff["level1_agent"], cusm, symptom="pc_simple", guide_step=3, guide_version=1)
    assert late.guide.version == 1


def test_the_pages_and_the_api_show_guides_and_figures(client, api, body, cusm, staff):
    agent = api("level1_agent")
    r = agent.post("/api/incidents", body(symptom="bridge", guide_step=1))
    assert r.status_code == 201, r.content
    assert r.json()["guide"] == {"version": 1, "step": 1} and r.json()["status"] == "resolved"
    bad = agent.post("/api/incidents", body(symptom="lan", guide_step=1))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "guide_step"
    listed = agent.get("/api/guides").json()["items"]
    bridge = next(g for g in listed if g["symptom"] == "bridge")
    assert bridge["steps"][0]["solved"] == 1 and "status page" in bridge["steps"][0]["text"]
    put = api("telehealth_technician").client.put(
        "/api/guides/bridge",
        {"steps": [{"text": {"fr": "Page d'état du pont.", "en": "Bridge status page."}}]},
        content_type="application/json",
    )
    assert put.status_code == 200 and put.json()["version"] == 2
    versions = agent.get("/api/guides/bridge").json()["items"]
    assert [(v["version"], v["current"], v["solved"]) for v in versions] == [
        (2, True, 0),
        (1, False, 1),
    ]

    client.force_login(staff["level1_agent"])
    client.cookies["django_language"] = "fr-ca"
    panel = client.get("/incidents/new/guide/", {"symptom": "sound_simple"}).content.decode()
    assert "Guide de diagnostic" in panel and "sourdine" in panel
    assert 'name="guide_step"' in panel and 'data-shortcut="g"' in panel
    page = client.get("/guides/bridge/").content.decode()
    assert "Version 2" in page and "Version 1" in page
    client.force_login(staff["telehealth_technician"])
    uneven = client.post("/guides/bridge/", {"fr": "Un\nDeux", "en": "One"})
    assert uneven.status_code == 422 and "id_en_error" in uneven.content.decode()


def test_the_period_statistics_count_the_calls_solved_at_each_step(client, cusm, staff):
    import datetime as dt

    from django.utils import timezone

    from escalade.reports import stats

    for step in (1, 1, 3):
        log(staff["level1_agent"], cusm, symptom="sound_simple", guide_step=step)
    today = timezone.now().astimezone(cusm.zone).date()
    fig = stats.figures(cusm, stats.Range(today - dt.timedelta(days=1), today, ""))
    sound = next(g for g in fig["guides"] if g["symptom"] == "sound_simple")
    assert [s["solved"] for s in sound["steps"]] == [2, 0, 1, 0] and sound["solved"] == 3
    client.force_login(staff["manager"])
    client.cookies["django_language"] = "fr-ca"
    html = client.get("/statistics/").content.decode()
    assert "Guides de diagnostic : appels résolus à chaque étape" in html
