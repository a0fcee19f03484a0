"""Paging until someone acknowledges: the pack's escalation policies, started by their
triggers (the events of incidents, sessions and outages), each step paging once, the
first acknowledgement stopping the rest."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy

from escalade.accounts import rules as perms
from escalade.accounts.services import language_of, require
from escalade.core import audit, events, packs
from escalade.core.choices import AuditAction
from escalade.core.i18n import pick
from escalade.incidents.models import Incident
from escalade.mailin.selectors import mailbox_of
from escalade.notifications import services as notify
from escalade.runbooks import services as runbooks

from .. import rules, selectors
from ..choices import PageChannel, PageState, PagingState, Trigger
from ..events import PageAcknowledged, PageSent
from ..models import Page, Paging
from .common import _update

# -- paging until someone acknowledges --------------------------------------------------


def _policies(institution) -> list[dict]:
    return [p.model_dump() for p in packs.setting_of(institution, "paging_policies")]


def _accounts(institution, usernames) -> dict[str, object]:
    users = get_user_model().objects.filter(
        username__in=set(usernames), is_active=True, memberships__institution=institution
    )
    return {u.username: u for u in users}


def _named(user_ids) -> list[tuple[str, str, str]]:
    """(username, name, phone) of these people: their full name, as the pages show it."""
    users = get_user_model().objects.filter(pk__in=set(user_ids), is_active=True)
    return [(u.username, u.get_full_name() or u.username, "") for u in users.order_by("username")]


def _people(institution, step: dict, now: dt.datetime) -> list[tuple[str, str, str]]:
    """(username, name, phone) of whom a step pages now: the person on call of its team (of
    those named, the ones on duty now), the next in turn, the team's lead, or a role's
    members."""
    if step.get("people"):  # named by the caller (a unit's lead)
        return [tuple(p) for p in step["people"]]
    if step.get("role"):
        return _named(notify.members(institution, [step["role"]]))
    codes = [step["team"]] if isinstance(step["team"], str) else step["team"]
    out: list[tuple[str, str, str]] = []
    teams = list(selectors.teams_of(institution).filter(code__in=codes))
    if step.get("who") == "lead":
        for team in teams:
            out += _named(notify.members(institution, [team.lead_role]))
        return list(dict.fromkeys(out))
    for team, row in zip(teams, selectors.on_call_of_teams(teams, now), strict=True):
        if not row["person"]:
            continue  # off duty now: the other team named pages
        if step.get("who") == "next":  # the member after the one on call, in turn
            current = rules.Member(row["person"]["username"], row["person"]["name"])
            member = rules.after(selectors.rotation(team), current)
            out.append((member.username, member.name, member.phone))
        else:
            out.append((row["person"]["username"], row["person"]["name"], row["phone"]))
    return list(dict.fromkeys(out))  # once each


def _page_step(
    paging: Paging, policy: dict, now: dt.datetime, actor=None, fresh: bool = False
) -> list[Page]:
    """Page whom the paging's current step names (once each: a unique row), let the
    pages of the step before expire, and queue the next step after its wait, in this
    transaction (the task and the pages: both or neither)."""
    incident = paging.incident
    steps = policy["steps"]
    step = steps[paging.step]
    if not fresh:  # a paging just started has no page out yet
        Page.objects.filter(paging=paging, state=PageState.SENT).update(state=PageState.EXPIRED)
    people = _people(incident.institution, step, now)
    accounts = _accounts(incident.institution, [u for u, _n, _p in people])
    pager = notify.hooked(incident.institution, PageSent.hook, opt_in=PageSent.hook_opt_in)
    pages = []
    for username, name, phone in people:
        user = accounts.get(username)
        channels = [PageChannel.APP] + ([PageChannel.EMAIL] if user and user.email else [])
        if phone and settings.ESCALADE_SMS_SENDSMS_URL:
            channels.append(PageChannel.SMS)
        if pager:  # the hospital's own paging system, through its webhook
            channels.append(PageChannel.WEBHOOK)
        for channel in channels:
            sms = channel == PageChannel.SMS
            key = {
                "paging": paging,
                "round": paging.round,
                "step": paging.step,
                "username": username,
                "channel": channel,
            }
            values = {
                "user": user,
                "name": name,
                # no account here: not reachable in the app (the next step goes on)
                "state": PageState.SENT
                if user or channel in (PageChannel.SMS, PageChannel.WEBHOOK)
                else PageState.FAILED,
                "phone": phone if sms else "",
                # the code a reply carries (SMS "OK 482913"; kept in an e-mail reply)
                "code": f"{secrets.randbelow(900000) + 100000}"
                if channel != PageChannel.APP
                else "",
            }
            if fresh:  # a paging just started has no page to find (the row is unique anyway)
                page, created = Page.objects.create(**key, **values), True
            else:
                page, created = Page.objects.get_or_create(**key, defaults=values)
            if created:
                pages.append(page)
                if sms:  # sent by a worker, queued with the page: both or neither
                    from ..tasks import send_sms  # noqa: PLC0415 (cycle: the task calls back)

                    send_sms.enqueue(page.pk)
    for page in (p for p in pages if p.user and p.channel == PageChannel.APP):
        kind, params = _page_says(paging, page)
        notify.tell(
            [notify.Person(page.user.pk, page.user.username, page.user.email)],
            kind=kind,
            params=params,
            link=f"/oncall/incidents/{incident.number}/pages/",
            subject=PAGED_SUBJECT,
            by_mail=False,  # the e-mail is a page of its own, that a reply acknowledges
        )
    for page in (p for p in pages if p.channel == PageChannel.EMAIL):
        _mail_page(paging, page)
    for page in (p for p in pages if p.channel == PageChannel.WEBHOOK):
        _, params = _page_says(paging, page)
        with translation.override(language_of(page.user)):
            text = str(PAGED_SUBJECT) % {"number": incident.number, "summary": incident.summary}
        events.publish(PageSent(page=page, ack_url=params["ack"], text=text))
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
        from ..tasks import page_step  # noqa: PLC0415 (cycle: the task calls run_step)

        page_step.using(run_after=paging.next_at).enqueue(paging.pk, paging.step, paging.round)
    _update(paging, "state", "next_at", "step", "round")
    return pages


def _page_says(paging: Paging, page: Page) -> tuple[str, dict]:
    """What a page's notification says: the incident, or the unit silent (its phase)."""
    ack = f"{settings.ESCALADE_BASE_URL}/pages/{page.pk}/ack/{ack_token(page)}/"
    incident = paging.incident
    if paging.unit_id:
        unit = paging.unit
        return f"unit_paged_{unit.phase}", {
            "unit": pick(unit.unit.label),
            "outage": unit.outage_id,
            "title": pick(unit.outage.runbook.title),
            "ack": ack,
        }
    return "paged", {"number": incident.number, "summary": incident.summary, "ack": ack}


def _mail_page(paging: Paging, page: Page) -> None:
    """The page by e-mail, in the person's language, from the institution's mailbox so
    that a reply comes back to Escalade (mailin hands it to `mail_reply`): the link to
    acknowledge, and the page's code a reply keeps."""
    kind, params = _page_says(paging, page)
    box = mailbox_of(paging.incident.institution)
    with translation.override(language_of(page.user)):
        body = str(notify.MESSAGES[kind]) % params
        body += "\n\n" + str(MAIL_REPLY) % {"code": page.code}
        subject = str(PAGED_SUBJECT) % {
            "number": paging.incident.number,
            "summary": paging.incident.summary,
        }
    mail = notify.send_mail([page.user.email], subject, body, from_email=box.address if box else "")
    page.message_id = notify.message_id(mail)
    _update(page, "message_id")


MAIL_REPLY = gettext_lazy(
    "You may also reply to this e-mail to acknowledge it (keep this code in your reply: %(code)s)."
)
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


def unit_policy(confirmation) -> dict:
    """The policy of a unit silent during an outage: its lead at once, and again after
    the runbook's delay if nobody confirmed."""
    lead = confirmation.unit.lead or {}
    person = [
        lead.get("username") or lead.get("name", ""),
        lead.get("name", ""),
        lead.get("phone", ""),
    ]
    wait = f"{max(confirmation.outage.runbook.confirm_within, 60) // 60}m"
    return {
        "code": f"unit-{confirmation.pk}",
        "rounds": 1,
        "steps": [{"people": [person]}, {"people": [person], "after": wait}],
    }


def policy_of(paging: Paging) -> dict | None:
    """The policy a paging runs: the pack's of its code, or its unit's."""
    if paging.unit_id:
        return unit_policy(paging.unit)
    return next(
        (p for p in _policies(paging.incident.institution) if p["code"] == paging.policy), None
    )


def start_paging(incident: Incident, trigger: str, actor=None, new: bool = False) -> Paging | None:
    """Start the pack's first policy for this trigger on the incident (once per policy
    and incident: a unique row): its first step pages at once, in the caller's
    transaction. `new`: the incident is being logged, so it has no paging to look for."""
    policy = rules.policy_for(_policies(incident.institution), trigger)
    if policy is None:
        return None
    if new:
        paging = Paging.objects.create(incident=incident, policy=policy["code"], trigger=trigger)
        created = True
    else:
        paging, created = Paging.objects.get_or_create(
            incident=incident, policy=policy["code"], defaults={"trigger": trigger}
        )
    if created:
        _page_step(paging, policy, timezone.now(), actor, fresh=True)
    return paging


def run_step(paging_id: int, step: int, round_: int) -> bool:
    """The queued step of a paging, when its wait is over: it pages only if nobody has
    acknowledged and the paging is still at that step (a task run twice, or late after
    a restart, pages nobody twice)."""
    with transaction.atomic():
        paging = (
            Paging.objects.select_for_update(of=("self",))
            .select_related("incident__institution", "unit__unit", "unit__outage__runbook")
            .filter(pk=paging_id)
            .first()
        )
        if paging is None or paging.state != PagingState.RUNNING:
            return False
        if (paging.step, paging.round) != (step, round_):
            return False
        policy = policy_of(paging)
        if policy is None or step >= len(policy["steps"]):
            paging.state = PagingState.EXHAUSTED
            paging.save(update_fields=["state"])
            return False
        _page_step(paging, policy, timezone.now())
        return True


def stop(paging: Paging, by, now: dt.datetime) -> None:
    """The paging is answered: no further step, the pages still out expire."""
    Page.objects.filter(paging=paging, state=PageState.SENT).update(state=PageState.EXPIRED)
    paging.state, paging.next_at = PagingState.ACKNOWLEDGED, None
    paging.acknowledged_by, paging.acknowledged_at = by, now
    _update(paging, "state", "next_at", "acknowledged_by", "acknowledged_at")


def acknowledge(actor, page: Page, via: str = "app") -> Paging:
    """The first acknowledgement stops the paging and tells the others paged; later
    ones change nothing. The person paged, or a lead of the institution. A unit's lead
    acknowledging confirms the unit (`via`: app, link, sms, email)."""
    paging = page.paging
    institution = paging.incident.institution
    if actor is not None and page.user_id != actor.pk:
        require(actor, perms.ONCALL_CHANGE, institution)
    with transaction.atomic():
        paging = (
            Paging.objects.select_for_update(of=("self",))
            .select_related("incident", "unit")
            .get(pk=paging.pk)
        )
        if paging.state == PagingState.ACKNOWLEDGED:
            return paging
        now = timezone.now()
        Page.objects.filter(pk=page.pk).update(state=PageState.ACKNOWLEDGED, acknowledged_at=now)
        stop(paging, actor or page.user, now)
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
            data={"page": page.pk, "who": page.username, "via": via},
        )
        events.publish(PageAcknowledged(paging=paging, who=page.username, via=via, actor=actor))
        if paging.unit_id:
            runbooks.confirm_unit(actor, paging.unit, via, by_name=page.name, by_lead=True)
    return paging


ACK_SUBJECT = gettext_lazy("Incident %(number)s: %(who)s has it")


# the triggers (their events, published in the transaction of the change)


def major_classified(event) -> None:
    """A major incident (at intake or reclassified) starts the major-incident policy."""
    if event.severity == "major":
        start_paging(event.incident, Trigger.MAJOR_INCIDENT, event.actor, new=event.new)


def safety_flagged(event) -> None:
    """Seed 000 step 12: « immédiatement » the people who must know."""
    start_paging(event.incident, Trigger.PATIENT_SAFETY, event.actor)


def troubleshooting_started(event) -> None:
    """Seed 000 step 2: the centre reaches the technicians while the patient waits."""
    start_paging(event.incident, Trigger.TROUBLESHOOTING, event.actor)


def outage_activated(event) -> None:
    """Seed 004: the on-call people of the system that is down."""
    if event.outage.incident is not None:  # a drill pages no one
        start_paging(event.outage.incident, Trigger.OUTAGE, event.actor)
