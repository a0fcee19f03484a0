"""Every app has the same rooms, so that a newcomer finds each concept where the others
keep theirs: models, choices, errors, rules, services, selectors, api, views, urls,
admin, tests with their factories. An app without one of them says why, here."""

from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parents[1] / "src" / "escalade"
ROOMS = (
    "apps.py",
    "models.py",
    "choices.py",
    "errors.py",
    "rules.py",
    "services",
    "selectors.py",
    "api.py",
    "views.py",
    "urls.py",
    "admin.py",
    "tests/factories.py",
)

# (app, room): why the app has no such room. The test fails when the room appears, so
# that its reason goes with it.
EXEMPT = {
    ("accounts", "errors.py"): "its refusals are the kernel's codes (forbidden, not_a_member, "
    "no_institution, which_institution), which every app answers",
    ("accounts", "selectors.py"): "who may do what is read through accounts.services "
    "(has_permission, institutions_of), which every app's checks call",
    ("accounts", "tests/factories.py"): "users are made by the root conftest's make_user "
    "through accounts.services.create_user, for every app's tests",
    ("notifications", "errors.py"): "it refuses nothing: it delivers what the other apps ask "
    "it to send, and retries",
    ("notifications", "rules.py"): "its one rule, the retry backoff, sits in services beside "
    "the delivery loop that uses it",
    ("notifications", "selectors.py"): "its one read, a person's inbox, is one query of its view",
    ("notifications", "api.py"): "people read their notifications on the page; programs are "
    "called by webhooks instead",
    ("notifications", "tests/factories.py"): "its rows are made by the other apps' services, "
    "which its tests call",
    ("reports", "choices.py"): "it has no coded field of its own: it shows the incidents' codes",
    ("reports", "rules.py"): "what it computes is counted by the database (stats.py); the "
    "fiscal periods are the kernel's (core.fiscal)",
    ("reports", "selectors.py"): "its reads are the period statistics (stats.py) and the "
    "exports (exports.py)",
    ("reports", "admin.py"): "a report is written on its page, where seed 000's rules (who "
    "writes it, when it is complete) apply; the admin would bypass them",
    ("routing", "services"): "the chart is pack data: only the pack loader writes it "
    "(routing/pack.py); its plans are computed by rules.py",
    ("routing", "tests/factories.py"): "its rows come from the packs loaded for every test",
    ("runbooks", "admin.py"): "the degraded-mode registry names patients: it is read on the "
    "outage page only, which checks the role and records each display",
    ("telesessions", "admin.py"): "a session names its patients: it is read on its page only, "
    "which checks the role and records each display",
}
KERNEL = {"core", "config"}  # the shared kernel and the project's wiring are not apps


def _apps() -> list[str]:
    return sorted(
        p.name for p in APPS.iterdir() if (p / "apps.py").exists() and p.name not in KERNEL
    )


def _has(app: str, room: str) -> bool:
    path = APPS / app / room
    return path.exists() or path.with_suffix(".py").exists()


@pytest.mark.parametrize("app", _apps())
def test_each_app_has_the_same_rooms_or_says_why_not(app):
    missing = {room for room in ROOMS if not _has(app, room)}
    exempt = {room for (name, room) in EXEMPT if name == app}
    assert missing - exempt == set(), f"{app} lacks {sorted(missing - exempt)}"
    assert exempt - missing == set(), f"{app} has {sorted(exempt - missing)}: drop the reason"


def test_selectors_only_read_and_services_name_their_audit_actions():
    """No audit write in a selector (the services record what is shown); no service
    writes the generic 'updated' that says nothing of what changed."""
    for app in _apps():
        selectors = APPS / app / "selectors.py"
        if selectors.exists():
            text = selectors.read_text()
            assert "audit.record" not in text and "audit.change" not in text, app
        services = APPS / app / "services"
        files = list(services.rglob("*.py")) if services.is_dir() else [services.with_suffix(".py")]
        for file in (f for f in files if f.exists()):
            assert "AuditAction.UPDATED" not in file.read_text(), file


SERVICES_MOST_LINES = 450


def test_no_services_module_is_longer_than_a_person_can_hold():
    """A services module past 450 lines becomes a package by sub-domain (as incidents'
    services are: intake, lifecycle, notes, classification, links...)."""
    long = []
    for app in [*_apps(), *sorted(KERNEL)]:
        services = APPS / app / "services"
        files = list(services.rglob("*.py")) if services.is_dir() else [services.with_suffix(".py")]
        for file in (f for f in files if f.exists()):
            lines = len(file.read_text().splitlines())
            if lines > SERVICES_MOST_LINES:
                long.append(f"{file.relative_to(APPS)}: {lines} lines")
    assert long == []
