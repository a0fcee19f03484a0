"""Every API operation x every role (and no one signed in), generated from the API's own
route list: an operation added without a line in ACCESS fails this test, so no endpoint
can escape the matrix. Reads: the roles whose permissions allow it get 200, the others
403 (or 404 for what is scoped to their own incidents). Writes: no one signed in gets 401,
and the requester, who may only log and follow their own requests, changes nothing."""

import datetime as dt

import pytest

from escalade.accounts import rules as perms
from escalade.accounts.choices import Role
from escalade.catalog.tests import factories as catalog_factories
from escalade.core.models import AuditEvent
from escalade.datasources.tests import factories as datasource_factories
from escalade.notices.tests import factories as notice_factories
from escalade.problems.tests import factories as problem_factories

pytestmark = pytest.mark.django_db

ANY = "any signed-in role"
SEALED = "the organisation's designated persons only, whatever their role"
PUBLIC = "anyone, signed in or not"
T0 = dt.datetime(2027, 1, 12, 14, 0, tzinfo=dt.UTC)

# (method, path template) -> who may: ANY, or the permission that allows it.
ACCESS = {
    ("GET", "/api/incidents"): ANY,  # the requester gets their own only (scoped, below)
    ("GET", "/api/incidents/{number}"): perms.VIEW_ALL,
    ("GET", "/api/incidents/known"): perms.LOG,
    ("GET", "/api/guides"): perms.VIEW_ALL,
    ("POST", "/api/incidents/{number}/legal-hold"): perms.LEGAL_HOLD,
    ("POST", "/api/incidents/{number}/legal-hold/release"): perms.LEGAL_HOLD,
    ("POST", "/api/telesessions/{session_id}/legal-hold"): perms.LEGAL_HOLD,
    ("POST", "/api/telesessions/{session_id}/legal-hold/release"): perms.LEGAL_HOLD,
    ("GET", "/api/patients/access-report"): perms.VIEW_PATIENT,
    ("GET", "/api/guides/{symptom}"): perms.VIEW_ALL,
    ("PUT", "/api/guides/{symptom}"): perms.GUIDE_CHANGE,
    ("GET", "/api/incidents/{number}/declaration"): perms.VIEW_ALL,
    ("GET", "/api/me"): ANY,
    ("GET", "/api/providers"): ANY,  # the catalogue of whom to call: public support lines
    ("GET", "/api/providers/{code}"): ANY,
    ("GET", "/api/organisations"): perms.VIEW_ALL,
    ("GET", "/api/organisations/{code}/contacts"): perms.VIEW_ALL,
    ("GET", "/api/telesessions/{session_id}"): perms.SESSION_VIEW,
    ("GET", "/api/telesessions/{session_id}/protocol"): perms.SESSION_VIEW,
    ("GET", "/api/telesessions/{session_id}/tasks"): perms.SESSION_VIEW,
    ("GET", "/api/reports/major/{number}.pdf"): perms.VIEW_ALL,
    ("GET", "/api/reports/major/{number}"): perms.VIEW_ALL,
    ("GET", "/api/stats"): perms.VIEW_ALL,
    ("GET", "/api/stats/export"): perms.VIEW_ALL,
    ("GET", "/api/fiscal-periods"): ANY,
    ("GET", "/api/problems"): perms.PROBLEM_VIEW,
    ("GET", "/api/problems/{problem_id}"): perms.PROBLEM_VIEW,
    ("GET", "/api/notices"): ANY,  # service notices are for everyone they concern
    ("GET", "/api/notices/{notice_id}"): ANY,
    ("GET", "/api/maintenance-windows"): ANY,
    ("GET", "/api/interruptions"): perms.VIEW_ALL,
    ("GET", "/api/certificates"): perms.VIEW_ALL,
    ("GET", "/api/licences"): perms.VIEW_ALL,
    ("GET", "/api/runbooks"): perms.RUNBOOK_VIEW,
    ("GET", "/api/runbooks/{code}"): perms.RUNBOOK_VIEW,
    ("GET", "/api/outages"): perms.RUNBOOK_VIEW,
    ("GET", "/api/outages/{outage_id}"): perms.RUNBOOK_VIEW,
    ("GET", "/api/broadcasts/current"): PUBLIC,  # what a workstation's notifier asks
    ("GET", "/api/broadcasts/{public_id}.cap"): PUBLIC,
    ("GET", "/api/vendors"): perms.RUNBOOK_VIEW,
    ("GET", "/api/oncall"): perms.ONCALL_VIEW,
    ("GET", "/api/incidents/{number}/pages"): perms.VIEW_ALL,
    ("GET", "/api/vendors/{code}/call-sheet"): perms.RUNBOOK_VIEW,
    # writes: the service of each checks its permission; the requester may only log
    ("POST", "/api/incidents"): perms.LOG,
    ("POST", "/api/incidents/{number}/escalate"): perms.ESCALATE,
    ("POST", "/api/incidents/{number}/start"): perms.VIEW_ALL,
    ("POST", "/api/incidents/{number}/resolve"): perms.RESOLVE,
    ("POST", "/api/incidents/{number}/close"): perms.CLOSE,
    ("POST", "/api/incidents/{number}/reopen"): perms.REOPEN,
    ("POST", "/api/incidents/{number}/notes"): perms.NOTE,
    ("POST", "/api/incidents/{number}/reclassify"): perms.RECLASSIFY,
    ("POST", "/api/incidents/{number}/priority"): perms.REPRIORITIZE,
    ("POST", "/api/incidents/{number}/patient-safety"): perms.VIEW_ALL,
    ("POST", "/api/incidents/{number}/attach"): perms.NOTE,
    ("GET", "/api/actions"): ANY,  # a lead sees the institution's, anyone else their own
    ("POST", "/api/actions/{item_id}/done"): perms.ACTION_CHANGE,  # or its owner
    ("POST", "/api/actions/{item_id}/cancel"): perms.ACTION_CHANGE,
    ("POST", "/api/actions/{item_id}/reopen"): perms.ACTION_CHANGE,
    ("POST", "/api/reports/major/{number}/actions"): perms.RESOLVE,
    ("POST", "/api/incidents/{number}/detach"): perms.NOTE,
    ("POST", "/api/incidents/{number}/merge"): perms.RESOLVE,
    ("POST", "/api/incidents/{number}/called-back"): perms.NOTE,
    ("POST", "/api/organisations/{code}/contacts"): perms.CONTACT_CHANGE,
    ("PATCH", "/api/contacts/{contact_id}"): perms.CONTACT_CHANGE,
    ("POST", "/api/contacts/{contact_id}/confirm"): perms.CONTACT_CHANGE,
    ("POST", "/api/route"): ANY,
    ("POST", "/api/telesessions"): perms.SESSION_ADD,
    ("POST", "/api/telesessions/{session_id}/troubleshoot"): perms.TROUBLESHOOT,
    ("POST", "/api/telesessions/{session_id}/protocol/steps/{n}"): perms.TROUBLESHOOT,
    ("POST", "/api/telesessions/{session_id}/cancel"): perms.SESSION_CANCEL,
    ("PUT", "/api/reports/major/{number}"): perms.VIEW_ALL,
    ("POST", "/api/problems"): perms.PROBLEM_CHANGE,
    ("PATCH", "/api/problems/{problem_id}"): perms.PROBLEM_CHANGE,
    ("POST", "/api/problems/detect"): perms.PROBLEM_CHANGE,
    ("POST", "/api/notices"): perms.NOTICE_PUBLISH,
    ("PATCH", "/api/notices/{notice_id}"): perms.NOTICE_PUBLISH,
    ("POST", "/api/notices/{notice_id}/updates"): perms.NOTICE_PUBLISH,
    ("POST", "/api/notices/{notice_id}/incidents"): perms.NOTICE_PUBLISH,
    ("POST", "/api/organisations/{code}/interruptions"): perms.INTERRUPTION_ADD,
    ("POST", "/api/interruptions/{row_id}/acknowledge"): perms.INTERRUPTION_ACK,
    ("POST", "/api/certificates"): perms.RENEWAL_CHANGE,
    ("POST", "/api/certificates/probe"): perms.RENEWAL_PROBE,
    ("POST", "/api/licences"): perms.RENEWAL_CHANGE,
    ("PATCH", "/api/licences/{licence_id}"): perms.RENEWAL_CHANGE,
    ("POST", "/api/oncall/overrides"): perms.ONCALL_CHANGE,
    ("POST", "/api/pages/{page_id}/ack"): perms.ONCALL_VIEW,  # the person paged, or a lead
    ("POST", "/api/outages"): perms.OUTAGE_RUN,
    ("POST", "/api/runbooks/{code}/drill"): perms.OUTAGE_RUN,
    ("POST", "/api/alerts/alertmanager"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/steps/{n}"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/vendor-refs"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/access-codes"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/restore"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/close"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/units/{code}/confirm"): perms.OUTAGE_RUN,
    ("POST", "/api/outages/{outage_id}/entries"): perms.REGISTRY_ADD,
    ("POST", "/api/outages/{outage_id}/entries/{entry_id}/reconcile"): perms.RECONCILE,
    ("GET", "/api/mailboxes"): perms.MAILBOX_RUN,
    ("GET", "/api/mailboxes/rejected"): perms.MAILBOX_RUN,
    ("POST", "/api/mailboxes/{code}/fetch"): perms.MAILBOX_RUN,
    ("POST", "/api/mailboxes/rejected/{message_id}/retake"): perms.MAILBOX_RUN,
    ("GET", "/api/incidents/{number}/messages"): perms.VIEW_ALL,
    (
        "GET",
        "/api/attachments/{attachment_id}",
    ): perms.VIEW_PATIENT,  # what a requester sent may name a patient
    ("POST", "/api/incidents/{number}/symptom"): perms.CLASSIFY,
    ("GET", "/api/datasources"): perms.DATASOURCE_VIEW,
    ("GET", "/api/datasources/{code}"): perms.DATASOURCE_VIEW,
    ("GET", "/api/datasources/{code}/unmapped"): perms.DATASOURCE_VIEW,
    ("GET", "/api/datasources/{code}/worksheet.xlsx"): perms.DATASOURCE_VIEW,
    ("GET", "/api/datasources/{code}/conceptmap"): perms.DATASOURCE_VIEW,
    ("POST", "/api/datasources/{code}/conceptmap"): perms.MAP_CODES,
    ("POST", "/api/datasources/{code}/worksheets"): perms.MAP_CODES,
    ("GET", "/api/datasources/{code}/proposals"): perms.DATASOURCE_VIEW,
    ("GET", "/api/datasources/{code}/proposals/{proposal_id}"): perms.DATASOURCE_VIEW,
    ("POST", "/api/datasources/{code}/proposals/{proposal_id}/decision"): perms.MAP_CODES,
    ("PUT", "/api/datasources/{code}/mappings/{local_code}"): perms.MAP_CODES,
    ("POST", "/api/datasources/{code}/heartbeat"): perms.HEARTBEAT,
    ("POST", "/api/conformance-reports"): perms.REPORT_RECEIVE,
    ("GET", "/api/conformance-reports"): perms.DATASOURCE_VIEW,
    ("GET", "/api/conformance-reports/{report_id}"): perms.DATASOURCE_VIEW,
    ("GET", "/api/conformance-reports/{report_id}/file"): SEALED,
    ("POST", "/api/conformance-reports/{report_id}/errors"): SEALED,
    ("POST", "/api/conformance-reports/{report_id}/errors/{error_id}"): SEALED,
}
READS = sum(1 for method, _path in ACCESS if method == "GET")
# What a read needs beyond its path.
QUERY = {
    "/api/stats": {"from": "2026-11-01", "to": "2026-11-30"},
    "/api/stats/export": {"from": "2026-11-01", "to": "2026-11-30", "format": "csv"},
    "/api/fiscal-periods": {"year": "2026"},
    "/api/broadcasts/current": {"host": "MRADI001"},
    "/api/patients/access-report": {"name": "Jeanne Tremblay", "birth_date": "1957-03-12"},
}


def operations():
    from escalade.config.api import api

    paths = api.get_openapi_schema()["paths"]
    return sorted((m.upper(), path) for path, ops in paths.items() for m in ops)


def allowed(role: str, need: str) -> bool:
    return need in (ANY, PUBLIC) or need in perms.ROLE_PERMISSIONS[Role(role)]


@pytest.fixture
def staff(request, cusm, make_user):
    """One user of each role in cusm: local accounts, or (param "directory") accounts
    made by signing in through the directory, their roles from their groups."""
    if getattr(request, "param", "local") == "local":
        return {role.value: make_user(role.value, [cusm], username=role.value) for role in Role}
    from escalade.accounts.services import directory
    from escalade.core import packs

    packs.write_setting(
        cusm,
        "directory_groups",
        [
            {"group": f"GG-{role.value}", "role": role.value, "phi": role in perms.PHI_ROLES}
            for role in Role
        ],
    )
    return {
        role.value: directory.signed_in(
            directory.Person(
                source="ldap",
                subject=f"uid={role.value},ou=people,dc=hopital",
                username=role.value,
                groups=[f"gg-{role.value}"],
            )
        )
        for role in Role
    }


@pytest.fixture
def world(api, staff, body, cusm):
    """One of everything the paths name, made through the API by the roles that may."""
    from escalade.catalog.models import Organisation, Provider

    major = api("level1_agent").post("/api/incidents", body(symptom="codec")).json()["number"]
    api("level1_agent").post(f"/api/incidents/{major}/patient-safety", {"level": "possible"})
    session = (
        api("event_coordinator")
        .post(
            "/api/telesessions",
            {
                "kind": "point_to_point",
                "start": T0.isoformat(),
                "end": (T0 + dt.timedelta(hours=1)).isoformat(),
                "requesting_site": "Hôpital de Gatineau",
                "provider_sites": ["Hôpital général de Montréal"],
                "patients": [{"name": "Jeanne Tremblay", "phone": "819-966-6000"}],
            },
        )
        .json()["id"]
    )
    api("level1_agent").post(f"/api/telesessions/{session}/troubleshoot", {"description": "x"})
    org = Organisation.objects.create(institution=cusm, code="hgm", name={"en": "HGM"})
    contact = catalog_factories.contact(staff["level2_analyst"], org)
    problem = problem_factories.problem(staff["it_technician"], cusm, "Codec freezes")
    notice = notice_factories.notice(staff["level2_analyst"], cusm)
    provider = Provider.objects.create(institution=cusm, code="dsp", name={"en": "DSP"})
    Provider.objects.create(institution=cusm, code="acme", name={"en": "Acme PACS"}, vendor=True)
    from escalade.runbooks import services as outages
    from escalade.runbooks.models import Runbook, WorkstationGroup

    WorkstationGroup.objects.create(
        institution=cusm, code="all", label={"en": "Every workstation", "fr": "Tous"}, hosts=["*"]
    )
    down = {"en": "PACS down", "fr": "PACS en panne"}
    step = {"text": {"en": "Use the paper plannings", "fr": "Plannings papier"}, "when": ""}
    Runbook.objects.create(
        institution=cusm,
        code="pacs_down",
        system="PACS",
        symptom="codec",
        title={"en": "PACS down", "fr": "PACS en panne"},
        trigger={"en": "No images", "fr": "Pas d'images"},
        degraded=[step],
        start_broadcasts=[{"group": "all", "type": "warning", "title": down, "message": down}],
    )
    outage = outages.activate(staff["it_technician"], cusm, "pacs_down", incident_number=major)
    from escalade.incidents.models import Incident
    from escalade.mailin.models import Attachment, Message

    mail = Message.objects.create(
        institution=cusm,
        direction="in",
        via="smtp",
        message_id="<m@example.org>",
        state="opened",
        incident=Incident.objects.get(number=major),
    )
    attachment = Attachment.objects.create(
        message=mail,
        incident=mail.incident,
        filename="a.png",
        content_type="image/png",
        size=3,
        sha256="0",
        data=b"png",
    )
    from escalade.datasources.models import DataSource

    source = DataSource.objects.create(
        institution=cusm,
        organisation=org,
        code=org.code,
        label={"en": "HGM lab"},
        system="LIS",
        code_systems=["urn:local"],
    )
    designate = {"role": "phi_designate", "name": "Nadia Roy", "email": "n.roy@example.org"}
    catalog_factories.contact(staff["level2_analyst"], org, **designate)  # the report goes to her
    report = datasource_factories.report(staff["level2_analyst"], org)
    from escalade.datasources import services as datasources

    proposal = datasources.propose_worksheet(
        source,
        b"Code System,Local Code,Local Description,Provincial Code\nurn:local,GLU,Glucose,\n",
        "w.csv",
    )
    from escalade.actions.tests.factories import item

    action = item(
        staff["level2_analyst"], Incident.objects.get(number=major), staff["it_technician"]
    )
    return {
        "number": major,
        "item_id": action.pk,
        "symptom": "codec",
        "proposal_id": proposal.pk,
        "report_id": report.pk,
        "local_code": "GLU",
        "error_id": 999999,
        "session_id": session,
        "code": org.code,
        "contact_id": contact.pk,
        "problem_id": problem.pk,
        "notice_id": notice.pk,
        "row_id": 999999,
        "licence_id": 999999,
        "n": 1,
        "provider": provider.code,
        "runbook": "pacs_down",
        "vendor": "acme",
        "outage_id": outage.pk,
        "entry_id": 999999,
        "public_id": outage.broadcasts.get().public_id,
        "attachment_id": attachment.pk,
        "message_id": 999999,
        "page_id": 999999,
    }


def concrete(path: str, world: dict) -> str:
    if path.startswith("/api/providers/"):
        return f"/api/providers/{world['provider']}"
    if path.startswith("/api/runbooks/"):
        return path.replace("{code}", world["runbook"])
    if path.startswith("/api/vendors/"):
        return f"/api/vendors/{world['vendor']}/call-sheet"
    for key, value in world.items():
        path = path.replace("{" + key + "}", str(value))
    assert "{" not in path, path
    return path


def test_every_operation_has_a_line_in_the_matrix():
    assert sorted(set(operations()) - set(ACCESS)) == [], "add the new operation to ACCESS"
    assert sorted(set(ACCESS) - set(operations())) == []


@pytest.mark.parametrize("staff", ["local", "directory"], indirect=True)
def test_reads_by_every_role(api, world, client, staff):
    checked = 0
    for method, template in operations():
        if method != "GET":
            continue
        need = ACCESS[(method, template)]
        path = concrete(template, world)
        params = QUERY.get(template, {})
        anonymous = client.get(path, params).status_code
        assert anonymous == (200 if need == PUBLIC else 401), path
        for role in Role:
            r = api(role.value).get(path, **params)
            if allowed(role.value, need):
                assert r.status_code == 200, (role.value, path, r.status_code, r.content[:200])
            else:
                assert r.status_code in (403, 404), (role.value, path, r.status_code)
                assert r.json()["errors"], (role.value, path)
            checked += 1
    assert checked == READS * len(Role)


def test_the_requester_lists_only_their_own_requests(api, world, body, staff):
    own = api("requester").post("/api/incidents", body(summary="My own call")).json()["number"]
    listed = [i["number"] for i in api("requester").get("/api/incidents").json()["items"]]
    assert listed == [own]
    assert api("requester").get(f"/api/incidents/{own}").status_code == 200


def test_writes_by_no_one_signed_in_and_by_the_requester_change_nothing(api, world, client):
    writes = [
        (m, t) for m, t in operations() if m != "GET" and ACCESS[(m, t)] not in (ANY, perms.LOG)
    ]
    for method, template in writes:
        path = concrete(template, world)
        r = client.generic(method, path, "{}", content_type="application/json")
        assert r.status_code in (401, 403), (method, path, r.status_code)  # 403: CSRF, no session
        before = AuditEvent.objects.count()
        r = getattr(api("requester").client, method.lower())(
            path, {}, content_type="application/json"
        )
        assert r.status_code in (403, 404, 422), (method, path, r.status_code)
        assert AuditEvent.objects.count() == before, (method, path)
    assert len(writes) == len(ACCESS) - READS - 2
