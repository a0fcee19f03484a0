"""Every main page, in French and English, at 1366x768 and on a phone (390 px): axe-core
finds no serious or critical accessibility violation (WCAG 2.1 A/AA rules), and the page
does not scroll sideways."""

from pathlib import Path

import pytest

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"


def _pages(staff, cusm):
    from escalade.incidents.tests.factories import log
    from escalade.problems.models import Problem
    from escalade.telesessions import services as sessions
    from escalade.telesessions.tests.factories import make_session

    major = log(staff["level1_agent"], cusm, symptom="codec", session_ref="TS-1")
    session = make_session(staff["level1_agent"], cusm, external_ref="TS-1")
    sessions.start_troubleshooting(staff["telehealth_technician"], session, symptom="codec")
    problem = Problem.objects.create(institution=cusm, title="Codec à Gatineau")
    import datetime as dt

    from conftest import ROOT
    from escalade.accounts.models import Membership
    from escalade.core.packs import load_pack
    from escalade.runbooks import services as outages

    pau = load_pack(ROOT / "packs" / "ch-pau-imaging").institution
    Membership.objects.create(user=staff["manager"], institution=pau)
    Membership.objects.create(user=staff["it_technician"], institution=pau)
    outage = outages.activate(staff["it_technician"], pau, "case4_ris_pacs")
    outages.add_entry(
        staff["it_technician"],
        outage,
        {
            "last_name": "Durand",
            "first_name": "Léa",
            "birth_date": dt.date(1980, 2, 1),
            "exam": "IRM",
            "modality": "MR",
        },
    )
    from escalade.mailin import services as mail
    from escalade.mailin.models import Mailbox
    from escalade.mailin.tests.factories import mail as make_mail

    box = Mailbox.objects.select_related("institution").get(institution=cusm, code="cct")
    by_mail = mail.receive(
        box,
        make_mail(
            subject="Rien ne fonctionne",
            body="Bonjour,\n\nRien ne démarre au poste 12.",
            attachments=[("capture.png", b"\x89PNG" + b"0" * 300, "image/png")],
        ),
        via="smtp",
    ).incident
    mail.receive(box, b"From: a@example.org\r\nContent-Type: multipart/mixed\r\n\r\nx", via="smtp")
    from escalade.datasources import services as datasources
    from escalade.datasources.models import DataSource
    from escalade.datasources.tests.test_terminology import provinces_workbook

    ontario = load_pack(ROOT / "packs" / "ontario-viewer").institution
    for role in ("manager", "it_technician"):
        Membership.objects.create(user=staff[role], institution=ontario)
    proposal = datasources.propose_worksheet(
        DataSource.objects.get(institution=ontario, code="nord-lab"),
        provinces_workbook(),
        "codes.xlsx",
        sender="contario@one-mail.on.ca",
    )
    return [
        f"/datasources/nord-lab/proposals/{proposal.pk}/",
        "/incidents/",
        f"/incidents/{by_mail.number}/",
        "/mailboxes/",
        "/incidents/?queue=all",
        "/incidents/new/",
        f"/incidents/{major.number}/",
        f"/incidents/{major.number}/report/",
        "/telesessions/",
        f"/telesessions/{session.pk}/",
        f"/telesessions/{session.pk}/sheet/",
        "/telesessions/follow-up/",
        "/help/",
        "/catalogue/",
        "/statistics/",
        "/problems/",
        f"/problems/{problem.pk}/",
        "/notices/",
        "/renewals/",
        "/oncall/",
        "/notifications/",
        "/wallboard/",
        "/runbooks/",
        f"/outages/{outage.pk}/",
        "/account/second-factor/",  # the QR code and the key
        "/display/?group=imaging&unit=radiology",  # with the unit's big button
        f"/units/confirm/{outages.confirm_token(outage.confirmations.first())}/",
    ]


def _other_language(lang: str) -> list[str]:
    """The catalogue's sentences of the other language (three words or more, no
    placeholder, written otherwise in `lang`'s): none may show on a `lang` page. On a
    French page the English msgids, on an English page the French msgstrs."""
    import polib

    po = polib.pofile(
        str(Path(__file__).parents[2] / "src/escalade/locale/fr_CA/LC_MESSAGES/django.po")
    )
    french_page = lang.startswith("fr")
    return [
        text
        for e in po
        if e.msgstr and e.msgstr != e.msgid
        for text in [e.msgid if french_page else e.msgstr]
        if "%" not in text and "{" not in text and len(text.split()) >= 3
    ]


AXE_SERIOUS = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag',
    values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


def _serious(page, script: str) -> list[str]:
    """axe's serious and critical WCAG 2.1 A/AA violations on the page (axe comes with
    every page of a context made by _context; otherwise it is injected now)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=script)
    return page.evaluate(AXE_SERIOUS)


def _context(browser, width: int):
    """A browser context of this width whose every page has axe (given once, not sent
    again with each page: that took as long as axe's own run)."""
    context = browser.new_context(
        viewport={"width": width, "height": 768 if width > 500 else 844},
        bypass_csp=True,  # axe is injected by the test, never served by Escalade
    )
    context.add_init_script(script=AXE.read_text())
    return context


# axe in French on a desktop and in English on a phone; French on a phone, whose longer
# words and labels are what overflow, for the sideways scroll and the language only
@pytest.mark.parametrize(
    "lang, width, axe", [("fr-ca", 1366, True), ("en", 390, True), ("fr-ca", 390, False)]
)
def test_main_pages_have_no_serious_violation_and_no_sideways_scroll(
    live_server, browser, staff, cusm, lang, width, axe
):
    paths = _pages(staff, cusm)
    context = _context(browser, width)
    page = context.new_page()
    sign_in(page, live_server.url, "manager", lang, then=None)
    script = AXE.read_text()
    found, sideways, english = [], [], []
    # the French interface shows no English sentence of the catalogue, and the English
    # interface no French one
    untranslated = _other_language(lang)
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        if axe:
            found += [f"{path} {v}" for v in _serious(page, script)]
        if untranslated:
            text = page.evaluate("document.body.innerText")
            english += [f"{path}: {m!r}" for m in untranslated if m in text]
        wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if wide > 1:
            sideways.append(f"{path} +{wide}px")
    context.close()
    assert found == []
    assert sideways == []
    assert english == []  # sentences of the other language


def test_the_data_source_pages_have_no_serious_violation(live_server, browser, ontario, make_user):
    """Seed 002's pages, in French at 1366 px and in English on a phone: the desk's view of
    the sources, the mapping page, the sealed reports, and the designated person's view."""
    from escalade.catalog.models import Organisation
    from escalade.datasources import services as datasources
    from escalade.datasources.models import DataSource
    from escalade.datasources.tests.conftest import REPORT
    from escalade.datasources.tests.test_terminology import provinces_workbook

    manager = make_user("manager", [ontario], username="on-manager", email="m@desk.example.org")
    make_user(
        "clinical_coordinator",
        [ontario],
        username="on-designee",
        email="n.roy@hopital-nord.example.org",
    )
    datasources.import_worksheet(
        manager, DataSource.objects.get(code="nord-lab"), provinces_workbook(), "c.xlsx"
    )
    report = datasources.receive_report(
        manager, Organisation.objects.get(code="hopital-nord"), "wce.hl7", REPORT
    )
    script = AXE.read_text()
    found, sideways, words = [], [], []
    other_language = {lang: _other_language(lang) for lang in ("fr-ca", "en")}
    for username, lang, width, paths in (
        (
            "on-manager",
            "fr-ca",
            1366,
            [
                "/datasources/",
                "/datasources/nord-lab/",
                "/conformance-reports/",
                f"/conformance-reports/{report.pk}/",
                "/notices/new/",
            ],
        ),
        (
            "on-manager",
            "en",
            390,
            ["/datasources/", "/datasources/nord-lab/", "/conformance-reports/", "/notices/new/"],
        ),
        ("on-designee", "fr-ca", 1366, [f"/conformance-reports/{report.pk}/"]),
        ("on-designee", "en", 390, [f"/conformance-reports/{report.pk}/"]),
    ):
        context = _context(browser, width)
        page = context.new_page()
        sign_in(page, live_server.url, username, lang, then=None)
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            result = _serious(page, script)
            found += [f"{username} {path} {v}" for v in result]
            text = page.evaluate("document.body.innerText")
            words += [f"{username} {path}: {m!r}" for m in other_language[lang] if m in text]
            wide = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if wide > 1:
                sideways.append(f"{username} {path} {width}px +{wide}px")
        context.close()
    assert found == []
    assert sideways == []
    assert words == []  # sentences of the other language


def test_forms_showing_their_errors_have_no_serious_violation(live_server, browser, desk):
    """The notices form sent empty: its errors are said next to each field (a list inside
    an alert, not a list whose role the alert replaced: axe's listitem rule), and its
    organisations are a group whose name comes first."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    sign_in(page, live_server.url, "on-manager", then="/notices/new/")
    legend = page.locator("fieldset.boxes legend")
    assert legend.inner_text() == "Organisations"
    box = page.locator("#id_organisations_0").bounding_box()
    assert legend.bounding_box()["y"] < box["y"]  # the group's name above its boxes
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_selector(".errorlist")
    result = _serious(page, AXE.read_text())
    context.close()
    assert result == []
