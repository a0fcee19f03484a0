"""Every main page under the real Content-Security-Policy, as users get it: no
`securitypolicyviolation` on any page (an inline style or an onclick would raise one and
silently do nothing), the kiosk keeps its styling, and the Print buttons print."""

import re

import pytest

from .conftest import CHROMIUM, sign_in
from .test_accessibility import _pages

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' +
                           (e.sample || '')));
window.__printed = 0;
window.print = () => { window.__printed += 1; };
"""


def test_no_page_breaks_the_content_security_policy(live_server, browser, staff, cusm):
    paths = _pages(staff, cusm)
    context = browser.new_context()  # the policy enforced: no bypass_csp
    context.add_init_script(LISTEN)
    page = context.new_page()
    violations = []
    page.goto(f"{live_server.url}/login/")  # the sign-in page, before anyone is signed in
    page.wait_for_load_state("load")
    violations += [f"/login/: {v}" for v in page.evaluate("window.__violations")]
    sign_in(page, live_server.url, "manager", "fr-ca", then=None)
    outage = next(p for p in paths if p.startswith("/outages/"))
    paths += ["/runbooks/case4_ris_pacs/", f"{outage}call/nicesoft/"]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert "Content-Security-Policy" in response.headers or "content-security-policy" in {
            k.lower() for k in response.headers
        }, path
        page.wait_for_load_state("load")
        violations += [f"{path}: {v}" for v in page.evaluate("window.__violations")]
    assert violations == []

    # the kiosk is styled from its stylesheet: big light text on a dark wall screen
    page.goto(f"{live_server.url}/display/?group=imaging")
    style = page.evaluate(
        "(() => { const s = getComputedStyle(document.body);"
        " return [s.backgroundColor, s.color]; })()"
    )
    assert style == ["rgb(17, 17, 17)", "rgb(255, 255, 255)"]
    title = page.locator(".t").first
    assert float(title.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 40

    # the Print buttons of the runbook and of the call sheet print
    for path in ("/runbooks/case4_ris_pacs/", f"{outage}call/nicesoft/"):
        page.goto(f"{live_server.url}{path}")
        button = page.locator("button[data-print]")
        if button.count() == 0:
            continue
        button.first.click()
        assert page.evaluate("window.__printed") == 1, path
    assert re.search(r"\d", outage)
    context.close()


def test_the_api_docs_work_under_the_same_policy(live_server, browser):
    """Issue 25: /api/docs was served without a policy. Under it, Swagger UI (from our own
    static files) still draws the API and breaks no directive."""
    context = browser.new_context()
    context.add_init_script(LISTEN)
    page = context.new_page()
    response = page.goto(f"{live_server.url}/api/docs")
    headers = {k.lower(): v for k, v in response.headers.items()}
    assert "script-src 'self'" in headers["content-security-policy"]
    # under three workers on two busy cores Swagger UI once drew after more than 15 s
    page.locator(".swagger-ui .info .title").wait_for(timeout=30000)
    assert page.locator(".opblock").count() > 50  # the operations are listed
    assert page.evaluate("window.__violations") == []
