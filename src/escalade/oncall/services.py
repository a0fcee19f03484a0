"""Every write of the on-call app: the response clocks, and the leads' overrides of the
rotations (at the end). The clocks start with the incident, stop at its first
response and its resolution, pause while a partner holds it (level 3) and resume, and
are recomputed when its priority is re-evaluated: each in the transaction of the change
that moves them (the incidents' events, published in that transaction), so that a clock
is never lost nor run twice. A scheduled check warns at 75 % and at breach, once each."""

from __future__ import annotations

import datetime as dt
import functools
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import language_of, require
from escalade.core import audit, packs
from escalade.core.choices import AuditAction
from escalade.core.errors import Code, Invalid, missing, required
from escalade.core.hours import add_counted
from escalade.incidents import services as incidents
from escalade.incidents.models import Incident
from escalade.notifications import services as notify

from . import rules, selectors
from .choices import ClockState, ClockTarget, PageChannel, PageState, PagingState, Trigger
from .models import Clock, Override, Page, Paging, Team


def _update(row, *fields: str) -> None:
    """Write these fields of an existing row in one UPDATE. Inside the intake's batched
    statements on PostgreSQL (core.prepared.batched), a save() cannot read how many rows
    its UPDATE touched and would INSERT the row a second time."""
    type(row).objects.filter(pk=row.pk).update(**{f: getattr(row, f) for f in fields})


CLOCK_FIELDS = ("state", "elapsed", "running_since", "due_at", "warn_at", "ended_at", "breached_at")


def _policy(institution):
    return packs.setting_of(institution, "response_clocks")


def _at(clock: Clock, start: dt.datetime, seconds: float) -> dt.datetime | None:
    inst = clock.incident.institution
    schedule = selectors.clock_schedule(clock)
    return add_counted(schedule, start, seconds, ZoneInfo(inst.timezone), inst.calendar)


def _run_from(clock: Clock, now: dt.datetime) -> None:
    """Running from `now`: when it warns and when it is due, in counted time."""
    clock.running_since = now
    clock.due_at = _at(clock, now, max(clock.seconds - clock.elapsed, 0))
    warn_left = rules.warn_after(clock.seconds) - clock.elapsed
    clock.warn_at = _at(clock, now, warn_left) if warn_left > 0 else now


def _freeze(clock: Clock, now: dt.datetime) -> None:
    clock.elapsed = selectors.elapsed(clock, now)
    clock.running_since = clock.due_at = clock.warn_at = None


def _facts(incident: Incident) -> dict:
    return {
        "priority": incident.priority,
        "level": incident.level,
        "severity": incident.severity,
        "symptom": incident.symptom.code if incident.symptom_id else "",
        "channel": incident.channel,
    }


def _targets(incident: Incident) -> list[rules.Target]:
    policy = _policy(incident.institution)
    if policy is None:
        return []
    table = [r.model_dump(by_alias=True) for r in policy.rules]  # `if`, as the pack writes it
    return rules.targets_for(table, _facts(incident))


def _record(clock: Clock, action: str, actor=None, **data) -> None:
    audit.record(
        action=action,
        obj=clock.incident,
        actor=actor,
        institution=clock.incident.institution,
        data={"target": clock.target, **data},
    )


def _move(clock: Clock, action: str, now: dt.datetime, actor=None) -> None:
    target = rules.CLOCK.target(action, clock.state)
    if target is None:
        return  # already there (a response after the first one): nothing to do
    if clock.state == ClockState.RUNNING:
        _freeze(clock, now)
    clock.state = target
    if target == ClockState.RUNNING:
        _run_from(clock, now)
        clock.ended_at = None
    elif target in (ClockState.MET, ClockState.STOPPED):
        clock.ended_at = now
        if clock.elapsed > clock.seconds and clock.breached_at is None:
            clock.breached_at = now
    _update(clock, *CLOCK_FIELDS)
    if action in ("pause", "resume"):
        kind = AuditAction.CLOCK_PAUSED if action == "pause" else AuditAction.CLOCK_RESUMED
        _record(clock, kind, actor, elapsed=round(clock.elapsed))


def _sync_due(incident: Incident) -> None:
    """The incident's soonest due time among its running clocks (the "due first" queue)."""
    due = (
        Clock.objects.filter(incident=incident, state=ClockState.RUNNING)
        .order_by("due_at")
        .values_list("due_at", flat=True)
        .first()
    )
    incidents.set_due(incident, due)


def _keeps_due(handler):
    """An event handler of the clocks, followed by the incident's due time kept."""

    @functools.wraps(handler)
    def wrapped(event) -> None:
        handler(event)
        _sync_due(event.incident)

    return wrapped


def _clocks(incident: Incident, *targets: str) -> list[Clock]:
    qs = Clock.objects.select_for_update().select_related("incident__institution")
    return list(qs.filter(incident=incident, target__in=targets or ClockTarget.values))


# -- the incidents' events (published inside their transaction) ---------------------


@_keeps_due
def incident_created(event) -> None:
    """The clocks of the pack's first rule the new incident meets, running from its
    creation (paused at once when it is logged straight to a partner)."""
    incident, now = event.incident, event.incident.created_at
    for t in _targets(incident):
        clock = Clock(
            incident=incident,
            target=t.target,
            rule=t.rule,
            seconds=t.seconds,
            business_hours=t.business_hours,
        )
        _run_from(clock, now)
        clock.save()
        if rules.paused_at(incident.level):
            _move(clock, "pause", now)


@_keeps_due
def incident_responded(event) -> None:
    """Taken in hand, or a note written: the first response is given."""
    for clock in _clocks(event.incident, ClockTarget.FIRST_RESPONSE):
        _move(clock, "meet", timezone.now(), event.actor)


@_keeps_due
def incident_escalated(event) -> None:
    """An escalation answers the caller (first response); at level 3 the partner holds
    the incident and the resolution clock waits for it."""
    now = timezone.now()
    for clock in _clocks(event.incident):
        if clock.target == ClockTarget.FIRST_RESPONSE:
            _move(clock, "meet", now, event.actor)
        elif rules.paused_at(event.to_level):
            _move(clock, "pause", now, event.actor)
        else:
            _move(clock, "resume", now, event.actor)


@_keeps_due
def incident_reprioritized(event) -> None:
    """A re-evaluated priority (seed 002, after level 2) or severity takes the targets of
    the rule the incident now meets; the time already counted stays."""
    now = timezone.now()
    targets = {t.target: t for t in _targets(event.incident)}
    for clock in _clocks(event.incident):
        new = targets.get(clock.target)
        if new is None or (new.seconds, new.business_hours) == (
            clock.seconds,
            clock.business_hours,
        ):
            continue
        running = clock.state == ClockState.RUNNING
        if running:
            _freeze(clock, now)
        clock.seconds, clock.business_hours, clock.rule = new.seconds, new.business_hours, new.rule
        clock.warned_at = None if clock.elapsed < rules.warn_after(new.seconds) else clock.warned_at
        if running:
            _run_from(clock, now)
        _update(clock, *CLOCK_FIELDS, "seconds", "business_hours", "rule", "warned_at")


@_keeps_due
def incident_resolved(event) -> None:
    """Resolved: both targets are met (a resolution answers the caller too)."""
    now = timezone.now()
    for clock in _clocks(event.incident):
        _move(clock, "meet", now, event.actor)


@_keeps_due
def incident_reopened(event) -> None:
    """Reopened: the resolution clock runs again from where it stopped."""
    for clock in _clocks(event.incident, ClockTarget.RESOLUTION):
        _move(clock, "reopen", timezone.now(), event.actor)


@_keeps_due
def incident_closed(event) -> None:
    """Closed before a target was met: its clock stops where it was."""
    for clock in _clocks(event.incident):
        _move(clock, "stop", timezone.now(), event.actor)


# -- the scheduled check: warnings at 75 % and at breach, once each ------------------


SUBJECTS = {
    "clock_warning": gettext_lazy("Incident %(number)s: 75 %% of its time is gone"),
    "clock_breached": gettext_lazy("Incident %(number)s: its target is passed"),
}


def _tell(clock: Clock, kind: str) -> None:
    """The holder (the people assigned) and the pack's leads, once each, in the app and
    by e-mail, in their language."""
    incident = clock.incident
    holders = incident.assignments.filter(active=True, user__isnull=False)
    ids = set(holders.values_list("user_id", flat=True))
    policy = _policy(incident.institution)
    ids |= set(notify.members(incident.institution, policy.warn if policy else []))
    params = {"number": incident.number, "summary": incident.summary}
    notify.tell(
        notify.people(ids),
        kind=f"{kind}_{clock.target}",  # the message says which target
        params=params,
        link=f"/incidents/{incident.number}/",
        subject=SUBJECTS[kind],
    )


def check_clocks(now: dt.datetime | None = None) -> int:
    """Warn the holder and the lead of each running clock past 75 % of its target, then
    past its target; each warning once, whatever the number of workers (rows locked,
    skipped by the others). Returns how many warnings went out."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        due = (
            Clock.objects.select_for_update(skip_locked=True)
            .select_related("incident__institution")
            .filter(state=ClockState.RUNNING, warn_at__lte=now)
            .exclude(warned_at__isnull=False, breached_at__isnull=False)
        )
        for clock in due:
            if clock.warned_at is None:
                clock.warned_at = now
                _tell(clock, "clock_warning")
                _record(clock, AuditAction.CLOCK_WARNED)
                sent += 1
            if clock.breached_at is None and clock.due_at and clock.due_at <= now:
                clock.breached_at = now
                _tell(clock, "clock_breached")
                _record(clock, AuditAction.CLOCK_BREACHED)
                start_paging(clock.incident, Trigger.BREACH)
                sent += 1
            clock.save(update_fields=["warned_at", "breached_at"])
    return sent


# -- who is on call: the leads' overrides ---------------------------------------------


def add_override(actor, team: Team, data: dict) -> Override:
    """A one-off change of the rotation (a swap for one night): from `starts_at` to
    `ends_at`, `username` is on call instead (a member, or a person of the institution
    with `name` and `phone`). Team leads only; audited; every bad field at once."""
    require(actor, perms.ONCALL_CHANGE, team.institution)
    starts, ends = data.get("starts_at"), data.get("ends_at")
    username = (data.get("username") or "").strip()
    reason = (data.get("reason") or "").strip()[:300]
    errors = missing(starts_at=starts, ends_at=ends, username=username, reason=reason)
    if starts and ends and ends <= starts:
        errors.append(("ends_at", _("The end must come after the start."), Code.END_BEFORE_START))
    member = next((m for m in team.members if m["username"] == username), None)
    name = member["name"] if member else (data.get("name") or "").strip()
    phone = member.get("phone", "") if member else (data.get("phone") or "").strip()
    if username and not member and not name:
        errors.append(
            required("name", _("Give the name of a person who is not a member of the team."))
        )
    if errors:
        raise Invalid(errors=errors)
    with transaction.atomic():
        row = Override.objects.create(
            team=team,
            starts_at=starts,
            ends_at=ends,
            username=username,
            name=name[:200],
            phone=phone[:40],
            reason=reason,
            created_by=actor,
        )
        audit.record(
            action=AuditAction.ONCALL_OVERRIDDEN,
            obj=team,
            actor=actor,
            institution=team.institution,
            data={"override": row.pk, "username": username, "from": starts, "to": ends},
        )
    return row


# -- paging until someone acknowledges --------------------------------------------------


def _policies(institution) -> list[dict]:
    return [p.model_dump() for p in packs.setting_of(institution, "paging_policies")]


def _accounts(institution, usernames) -> dict[str, object]:
    users = get_user_model().objects.filter(
        username__in=set(usernames), is_active=True, memberships__institution=institution
    )
    return {u.username: u for u in users}


def _people(institution, step: dict, now: dt.datetime) -> list[tuple[str, str, str]]:
    """(username, name, phone) of whom a step pages now: the person on call of its team (of
    those named, the ones on duty now), the next in turn, the team's lead, or a role's
    members."""
    if step.get("role"):
        ids = notify.members(institution, [step["role"]])
        return [(p.username, p.username, "") for p in notify.people(ids)]
    codes = [step["team"]] if isinstance(step["team"], str) else step["team"]
    out: list[tuple[str, str, str]] = []
    for team in Team.objects.filter(institution=institution, code__in=codes, active=True):
        if step.get("who") == "lead":
            ids = notify.members(institution, [team.lead_role])
            out += [(p.username, p.username, "") for p in notify.people(ids)]
            continue
        (row,) = selectors.on_call(institution, now, team.code)
        if not row["person"]:
            continue  # off duty now: the other team named pages
        if step.get("who") == "next":  # the member after the one on call, in turn
            current = rules.Member(row["person"]["username"], row["person"]["name"])
            member = rules.after(selectors.rotation(team), current)
            out.append((member.username, member.name, member.phone))
        else:
            out.append((row["person"]["username"], row["person"]["name"], row["phone"]))
    return list(dict.fromkeys(out))  # once each


def _page_step(paging: Paging, policy: dict, now: dt.datetime, actor=None) -> list[Page]:
    """Page whom the paging's current step names (once each: a unique row), let the
    pages of the step before expire, and queue the next step after its wait, in this
    transaction (the task and the pages: both or neither)."""
    incident = paging.incident
    steps = policy["steps"]
    step = steps[paging.step]
    Page.objects.filter(paging=paging, state=PageState.SENT).update(state=PageState.EXPIRED)
    people = _people(incident.institution, step, now)
    accounts = _accounts(incident.institution, [u for u, _n, _p in people])
    pages = []
    for username, name, phone in people:
        user = accounts.get(username)
        channels = [PageChannel.APP] + ([PageChannel.EMAIL] if user and user.email else [])
        if phone and settings.ESCALADE_SMS_SENDSMS_URL:
            channels.append(PageChannel.SMS)
        for channel in channels:
            sms = channel == PageChannel.SMS
            page, created = Page.objects.get_or_create(
                paging=paging,
                round=paging.round,
                step=paging.step,
                username=username,
                channel=channel,
                defaults={
                    "user": user,
                    "name": name,
                    # no account here: not reachable in the app (the next step goes on)
                    "state": PageState.SENT if user or sms else PageState.FAILED,
                    "phone": phone if sms else "",
                    "code": f"{secrets.randbelow(900000) + 100000}" if sms else "",
                },
            )
            if created:
                pages.append(page)
                if sms:  # sent by a worker, queued with the page: both or neither
                    from .tasks import send_sms  # noqa: PLC0415 (cycle: the task calls back)

                    send_sms.enqueue(page.pk)
    for page in (p for p in pages if p.user and p.channel == PageChannel.APP):
        # in the app and by e-mail, each with their own link to acknowledge
        notify.tell(
            [notify.Person(page.user.pk, page.user.username, page.user.email)],
            kind="paged",
            params={
                "number": incident.number,
                "summary": incident.summary,
                "ack": f"{settings.ESCALADE_BASE_URL}/pages/{page.pk}/ack/{ack_token(page)}/",
            },
            link=f"/oncall/incidents/{incident.number}/pages/",
            subject=PAGED_SUBJECT,
        )
    audit.record(
        action=AuditAction.PAGED,
        obj=incident,
        actor=actor,
        institution=incident.institution,
        data={
            "policy": paging.policy,
            "step": paging.step + 1,
            "round": paging.round,
            "to": sorted({p.username for p in pages}),
        },
    )
    following = rules.next_position(paging.step, paging.round, len(steps), policy["rounds"])
    if following is None:
        paging.state, paging.next_at = PagingState.EXHAUSTED, None
    else:
        paging.step, paging.round = following
        wait = steps[paging.step].get("after") or "0m"
        seconds = 0 if wait.strip() in ("0", "0m") else rules.parse_duration(wait)
        paging.next_at = now + dt.timedelta(seconds=seconds)
        from .tasks import page_step  # noqa: PLC0415 (cycle: the task calls run_step)

        page_step.using(run_after=paging.next_at).enqueue(paging.pk, paging.step, paging.round)
    _update(paging, "state", "next_at", "step", "round")
    return pages


PAGED_SUBJECT = gettext_lazy("[Paged] Incident %(number)s: %(summary)s")
ACK_SALT = "escalade.page-ack"


def ack_token(page: Page) -> str:
    """The secret of a page's acknowledgement link (a phone, no sign-in): it names the
    page and nothing else."""
    return signing.dumps(page.pk, salt=ACK_SALT)


def page_from_token(page_id: int, token: str) -> Page | None:
    """The page a link acknowledges, if the token is its own."""
    try:
        if signing.loads(token, salt=ACK_SALT, max_age=7 * 24 * 3600) != page_id:
            return None
    except signing.BadSignature:
        return None
    return Page.objects.select_related("paging__incident__institution").filter(pk=page_id).first()


def start_paging(incident: Incident, trigger: str, actor=None) -> Paging | None:
    """Start the pack's first policy for this trigger on the incident (once per policy
    and incident): its first step pages at once, in the caller's transaction."""
    policy = rules.policy_for(_policies(incident.institution), trigger)
    if policy is None:
        return None
    paging, created = Paging.objects.get_or_create(
        incident=incident, policy=policy["code"], defaults={"trigger": trigger}
    )
    if created:
        _page_step(paging, policy, timezone.now(), actor)
    return paging


def run_step(paging_id: int, step: int, round_: int) -> bool:
    """The queued step of a paging, when its wait is over: it pages only if nobody has
    acknowledged and the paging is still at that step (a task run twice, or late after
    a restart, pages nobody twice)."""
    with transaction.atomic():
        paging = (
            Paging.objects.select_for_update()
            .select_related("incident__institution")
            .filter(pk=paging_id)
            .first()
        )
        if paging is None or paging.state != PagingState.RUNNING:
            return False
        if (paging.step, paging.round) != (step, round_):
            return False
        policy = next(
            (p for p in _policies(paging.incident.institution) if p["code"] == paging.policy),
            None,
        )
        if policy is None or step >= len(policy["steps"]):
            paging.state = PagingState.EXHAUSTED
            paging.save(update_fields=["state"])
            return False
        _page_step(paging, policy, timezone.now())
        return True


def acknowledge(actor, page: Page) -> Paging:
    """The first acknowledgement stops the paging and tells the others paged; later
    ones change nothing. The person paged, or a lead of the institution."""
    paging = page.paging
    institution = paging.incident.institution
    if actor is not None and page.user_id != actor.pk:
        require(actor, perms.ONCALL_CHANGE, institution)
    with transaction.atomic():
        paging = Paging.objects.select_for_update().select_related("incident").get(pk=paging.pk)
        if paging.state == PagingState.ACKNOWLEDGED:
            return paging
        now = timezone.now()
        Page.objects.filter(pk=page.pk).update(state=PageState.ACKNOWLEDGED, acknowledged_at=now)
        Page.objects.filter(paging=paging, state=PageState.SENT).update(state=PageState.EXPIRED)
        paging.state, paging.next_at = PagingState.ACKNOWLEDGED, None
        paging.acknowledged_by, paging.acknowledged_at = actor or page.user, now
        _update(paging, "state", "next_at", "acknowledged_by", "acknowledged_at")
        others = set(
            Page.objects.filter(paging=paging, user__isnull=False)
            .exclude(user_id=page.user_id)
            .values_list("user_id", flat=True)
        )
        notify.tell(
            notify.people(others),
            kind="page_acknowledged",
            params={"number": paging.incident.number, "who": page.name},
            link=f"/incidents/{paging.incident.number}/",
            subject=ACK_SUBJECT,
        )
        audit.record(
            action=AuditAction.PAGE_ACKNOWLEDGED,
            obj=paging.incident,
            actor=actor,
            institution=institution,
            data={"page": page.pk, "who": page.username, "by_link": actor is None},
        )
    return paging


ACK_SUBJECT = gettext_lazy("Incident %(number)s: %(who)s has it")


# the triggers (their events, published in the transaction of the change)


def major_classified(event) -> None:
    """A major incident (at intake or reclassified) starts the major-incident policy."""
    if event.severity == "major":
        start_paging(event.incident, Trigger.MAJOR_INCIDENT, event.actor)


def safety_flagged(event) -> None:
    """Seed 000 step 12: « immédiatement » the people who must know."""
    start_paging(event.incident, Trigger.PATIENT_SAFETY, event.actor)


def troubleshooting_started(event) -> None:
    """Seed 000 step 2: the centre reaches the technicians while the patient waits."""
    start_paging(event.incident, Trigger.TROUBLESHOOTING, event.actor)


def outage_activated(event) -> None:
    """Seed 004: the on-call people of the system that is down."""
    start_paging(event.outage.incident, Trigger.OUTAGE, event.actor)


# -- SMS through Kannel ---------------------------------------------------------------

SMS_TEXT = gettext_lazy(
    "Escalade: incident %(number)s, %(summary)s. Reply OK %(code)s to acknowledge."
)
SMS_DONE = gettext_lazy("Escalade: incident %(number)s acknowledged. Thank you.")
SMS_UNKNOWN = gettext_lazy("Escalade: this code is not a page waiting for you.")
SMS_RETRIES = 5


def sms_text(page: Page) -> str:
    """The page's SMS in its reader's language, short: the summary cut so that the whole
    holds in 160 characters (sent as UCS-2 for the accents: the gateway splits it)."""
    incident = page.paging.incident
    language = language_of(page.user)
    with translation.override(language):
        params = {"number": incident.number, "summary": "", "code": page.code}
        room = 160 - len(str(SMS_TEXT) % params)
        summary = (
            incident.summary
            if len(incident.summary) <= room
            else incident.summary[: max(room - 1, 0)] + "…"
        )
        return str(SMS_TEXT) % {**params, "summary": summary}


def send_sms(page_id: int) -> str:
    """Hand a page's SMS to Kannel's sendsms (a worker; retried with backoff when the
    gateway refuses or is down, then failed). Accepted once: a second run sends nothing."""
    page = (
        Page.objects.select_related("paging__incident__institution", "user")
        .filter(pk=page_id, channel=PageChannel.SMS)
        .first()
    )
    if page is None or page.accepted_at or page.state != PageState.SENT:
        return "nothing to send"
    query = urllib.parse.urlencode(
        {
            "username": settings.ESCALADE_SMS_USER,
            "password": settings.ESCALADE_SMS_PASSWORD,
            "from": settings.ESCALADE_SMS_FROM,
            "to": re.sub(r"[^\d+]", "", page.phone),
            "text": sms_text(page),
            "charset": "UTF-8",
            "coding": "2",
        }
    )
    try:
        with urllib.request.urlopen(  # noqa: S310 - the configured gateway
            f"{settings.ESCALADE_SMS_SENDSMS_URL}?{query}", timeout=5
        ) as answer:
            body = answer.read(300).decode("utf-8", "replace")
            # "0: Accepted for delivery", or "3: Queued for later delivery" (no SMS
            # centre connected now): the gateway has it either way
            error = "" if answer.status in (200, 202) and body.startswith(("0:", "3:")) else body
    except (urllib.error.URLError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    with transaction.atomic():
        row = Page.objects.select_for_update().get(pk=page.pk)
        row.attempts += 1
        if not error:
            row.accepted_at, row.last_error = timezone.now(), ""
        else:
            row.last_error = error[:300]
            if row.attempts >= SMS_RETRIES:
                row.state = PageState.FAILED
            else:
                from .tasks import send_sms as task  # noqa: PLC0415 (cycle: the task calls us)

                wait = dt.timedelta(seconds=10 * 2 ** (row.attempts - 1))
                task.using(run_after=timezone.now() + wait).enqueue(row.pk)
        row.save(update_fields=["attempts", "accepted_at", "last_error", "state"])
    return error or "accepted"


def _digits(phone: str) -> str:
    return re.sub(r"\D", "", phone or "")[-10:]


def sms_reply(sender: str, text: str) -> str:
    """A reply Kannel received ("OK 482913"): it acknowledges the page of that code if it
    comes from the phone the page went to. Returns the answer to send back."""
    match = re.match(r"^\s*OK\s+(\d{6})\b", (text or "")[:500], re.IGNORECASE)
    page = None
    if match:
        page = (
            Page.objects.select_related("paging__incident__institution", "user")
            .filter(code=match.group(1), channel=PageChannel.SMS)
            .first()
        )
    if page is None or not sender or _digits(sender) != _digits(page.phone):
        return str(SMS_UNKNOWN)
    acknowledge(None, page)
    language = language_of(page.user)
    with translation.override(language):
        return str(SMS_DONE) % {"number": page.paging.incident.number}
