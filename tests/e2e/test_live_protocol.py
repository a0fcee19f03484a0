"""Two sites follow the same troubleshooting: one marks a step done, the other sees it
within 2 seconds without reloading; the session is cancelled, and the coordinator's page
lists one call-back per scheduled patient."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from escalade.telesessions.tests.factories import make_session

from .conftest import CHROMIUM, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


def _signed_in(context, live_server, username):
    """A new page of `context`, signed in as `username` (it opens nothing yet)."""
    page = context.new_page()
    sign_in(page, live_server.url, username, then=None)
    return page


def test_two_sites_see_the_same_protocol_live(live_server, browser, staff, cusm):
    from escalade.telesessions import services

    session = make_session(
        staff["level1_agent"],
        cusm,
        patients=[services.PatientInput(f"Patient {i}", "819-966-6000") for i in range(3)],
    )
    gatineau = _signed_in(
        browser.new_context(viewport={"width": 1366, "height": 768}),
        live_server,
        "telehealth_technician",
    )
    montreal = _signed_in(
        browser.new_context(viewport={"width": 1366, "height": 768}),
        live_server,
        "chief_telehealth_technician",
    )
    url = f"{live_server.url}/telesessions/{session.pk}/"
    gatineau.goto(url)
    gatineau.get_by_role("button", name="Start troubleshooting").click()
    expect(gatineau.locator("#clock")).to_be_visible()
    montreal.goto(url)
    expect(montreal.locator("#step-1")).to_contain_text("Done")  # the button, not yet the state
    expect(montreal.locator("#step-1 .step-state")).to_have_count(0)

    gatineau.locator("#step-1").get_by_role("button", name="Done").click()
    expect(montreal.locator("#step-1 .step-state")).to_have_text("Done", timeout=2000)

    montreal.locator("#cancel summary").click()
    montreal.locator("#cancel textarea").fill("No image after 30 minutes")
    montreal.locator("#cancel").get_by_role("button", name="Cancel the session").click()
    expect(montreal.locator("#session-status")).to_have_text("Cancelled")

    coordinator = _signed_in(browser.new_context(), live_server, "clinical_coordinator")
    coordinator.goto(f"{live_server.url}/telesessions/follow-up/")
    expect(coordinator.locator("tr.task-call_back_patient")).to_have_count(3)
    expect(coordinator.locator("#follow-up")).to_contain_text("Patient 2")
    montreal.screenshot(path="test-results/e2e-protocol.png", full_page=True)
    for page in (gatineau, montreal, coordinator):  # stop the pages' polling before the server goes
        page.context.close()


def test_the_live_panel_keeps_keyboard_focus_and_announces_changes(
    live_server, browser, staff, cusm
):
    """Keyboard and screen-reader users can press a step button while the panel is live:
    the page polls every second but nothing moves the focus, and another site's change is
    read out by the aria-live region."""
    from escalade.telesessions import services

    session = make_session(staff["level1_agent"], cusm)
    services.start_troubleshooting(staff["telehealth_technician"], session, symptom="codec")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = _signed_in(context, live_server, "telehealth_technician")
    page.goto(f"{live_server.url}/telesessions/{session.pk}/")
    page.locator("#step-2-done").focus()
    for _ in range(2):  # two of the panel's polls answered (not a fixed wait)
        with page.expect_response(lambda r: "x-escalade-poll" in r.request.headers):
            pass
    assert page.evaluate("document.activeElement.id") == "step-2-done"
    # another site marks step 3: the panel is swapped, the focus stays, the change is read
    services.mark_step(staff["chief_telehealth_technician"], session, 3, "done")
    expect(page.locator("#step-3 .step-state")).to_have_text("Done", timeout=2000)
    assert page.evaluate("document.activeElement.id") == "step-2-done"
    expect(page.locator("#live-news")).to_contain_text("3.")
    page.keyboard.press("Enter")
    expect(page.locator("#step-2 .step-state")).to_have_text("Done", timeout=2000)
    # the pressed button is gone with its step: the cursor goes on to the next step to do
    # (the element holding the focus, as a screen reader follows it: to_be_focused would
    # also ask that the window have the system's focus, which a busy headless browser
    # running other pages does not always give)
    # (polled from here: under the page's CSP, wait_for_function's own polling may eval)
    for _ in range(100):  # 10 s: the swap follows the post's answer, slow on a busy machine
        held = page.evaluate("document.activeElement.id")
        if held == "step-4-done":
            break
        page.wait_for_timeout(100)
    else:
        held = page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
        raise AssertionError(f"the focus is on {held}, not on step 4's button")
    # only the change is read out, not every step again
    expect(page.locator("#live-news")).to_contain_text("2.")
    assert "3." not in page.locator("#live-news").inner_text()
    # the 15-minute mark: an alarm, read out, not one more note
    protocol = session.protocols.get()
    services.apply_mark(protocol.pk, "warn", now=protocol.started_at + dt.timedelta(minutes=15))
    alarm = page.locator("#recommendation.window-alert")
    expect(alarm).to_contain_text("15 minutes", timeout=2000)
    assert alarm.evaluate("e => getComputedStyle(e).borderLeftWidth") == "10px"
    expect(page.locator("#live-news")).to_have_text(alarm.get_attribute("data-news"))
    context.close()


def test_a_step_marked_without_htmx_is_read_out_when_the_page_comes_back(
    live_server, browser, staff, cusm
):
    """Enter pressed before htmx took a freshly swapped form over (or no htmx): the post
    answers with the whole page (?marked=2); the change is read out all the same and the
    cursor is on the next step to do."""
    from escalade.telesessions import services

    session = make_session(staff["level1_agent"], cusm)
    services.start_troubleshooting(staff["telehealth_technician"], session, symptom="codec")
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = _signed_in(context, live_server, "telehealth_technician")
    services.mark_step(staff["telehealth_technician"], session, 2, "done")
    page.goto(f"{live_server.url}/telesessions/{session.pk}/?marked=2")
    expect(page.locator("#live-news")).to_contain_text("2.")
    assert "3." not in page.locator("#live-news").inner_text()
    assert page.evaluate("document.activeElement.id") == "step-3-done"
    context.close()


def test_the_wallboard_shows_a_new_major_within_two_seconds_without_reloading(
    live_server, browser, staff, cusm
):
    from escalade.incidents.tests.factories import log

    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    board = _signed_in(context, live_server, "manager")
    board.goto(f"{live_server.url}/wallboard/")
    board.evaluate("window.notReloaded = true")
    incident = log(staff["level1_agent"], cusm, symptom="bridge")
    expect(board.locator("#wb-majors")).to_contain_text(incident.number, timeout=2000)
    assert board.evaluate("window.notReloaded") is True
    no_scroll = "document.documentElement.scrollHeight <= window.innerHeight"
    assert board.evaluate(no_scroll)
    context.close()
