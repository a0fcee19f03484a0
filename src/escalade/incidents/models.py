"""Requests for assistance, their classification, formal tickets and technical sheet."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalade.core.i18n import pick
from escalade.core.models import Institution
from escalade.core.text import display_phone

from .choices import (
    Channel,
    Impact,
    Language,
    Level,
    PartnerKind,
    PatientSafety,
    RequesterRole,
    Severity,
    Status,
    SymptomGroup,
    Urgency,
)
from .search import index_text


class SymptomCategory(models.Model):
    """A symptom category of the pack (seed 000's minor and major lists)."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(max_length=40)
    group = models.CharField(max_length=10, choices=SymptomGroup.choices)
    label = models.JSONField(default=dict)
    examples = models.JSONField(default=dict, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    # The first priority of a call with this symptom (the pack's matrix), unless the
    # agent says otherwise; blank: the policy's default.
    impact = models.CharField(max_length=10, blank=True, choices=Impact.choices)
    urgency = models.CharField(max_length=10, blank=True, choices=Urgency.choices)
    # Words that name this symptom in a written request ({en: [...], fr: [...]}): an
    # e-mail whose subject or text holds one is classified under it (rules.symptom_for).
    keywords = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("symptom category")
        verbose_name_plural = _("symptom categories")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "code"], name="inc_symptom_code"),
        ]

    def __str__(self) -> str:
        return pick(self.label) or self.code


class DiagnosticGuide(models.Model):
    """Level 1's diagnostic guide for one symptom (seed 000: « effectue un diagnostic de
    premier niveau »): the questions to ask and checks to run, in order, each in French
    and English. Versioned: a change makes a new version, the calls solved by an older
    one keep it."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    symptom = models.ForeignKey(
        SymptomCategory, on_delete=models.PROTECT, related_name="guides", verbose_name=_("symptom")
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    # [{"text": {"fr": ..., "en": ...}}, ...] in the order they are run
    steps = models.JSONField(_("steps"), default=list)
    digest = models.CharField(max_length=64, editable=False)
    current = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("diagnostic guide")
        verbose_name_plural = _("diagnostic guides")
        ordering = ["symptom__position", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["symptom", "version"], name="inc_guide_version"),
        ]

    def __str__(self) -> str:
        return f"{self.symptom} v{self.version}"

    def step_texts(self) -> list[str]:
        """The steps in the reader's language."""
        return [pick(s.get("text")) for s in self.steps]


class IncidentPolicy(models.Model):
    """The incident rules of an institution's pack: levels, classification, assignment,
    priority matrix, follow-up threshold. Evaluated by rules.py."""

    institution = models.OneToOneField(
        Institution, on_delete=models.CASCADE, related_name="incident_policy"
    )
    levels = models.JSONField(default=list)
    classification = models.JSONField(default=list)
    assignment = models.JSONField(default=dict)
    priority_matrix = models.JSONField(default=dict)
    default_impact = models.CharField(max_length=10, default=Impact.MEDIUM)
    default_urgency = models.CharField(max_length=10, default=Urgency.MEDIUM)
    follow_up_hours = models.FloatField(default=4)
    declaration = models.JSONField(default=dict, blank=True, help_text="{form, keyword, where}")
    # Seed 000 step 11: whom a major-incident report goes to by default (roles).
    report_distribution = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("incident policy")
        verbose_name_plural = _("incident policies")

    def __str__(self) -> str:
        return f"{self.institution.code}"

    def level(self, number: int) -> dict:
        """The policy of one support level (1, 2 or 3): who holds it, its notes."""
        return next((lv for lv in self.levels if lv["number"] == number), {})

    def level_holders(self, number: int) -> list[str]:
        """The roles that hold support level `number`."""
        return list(self.level(number).get("holders", []))


class Incident(models.Model):
    """A request for assistance. Its `number` is read back to the requester."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=30, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    requester_name = models.CharField(_("requester"), max_length=200)
    requester_role = models.CharField(
        _("requester role"), max_length=30, choices=RequesterRole.choices
    )
    requester_site = models.CharField(_("site"), max_length=200, db_index=True)
    requester_phone = models.CharField(_("phone"), max_length=40, blank=True)
    requester_phone_ext = models.CharField(_("extension"), max_length=10, blank=True)
    requester_email = models.EmailField(_("requester's e-mail"), blank=True)
    session_ref = models.CharField(_("telehealth session"), max_length=60, blank=True)
    symptom = models.ForeignKey(
        SymptomCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("symptom")
    )
    # Logged without a symptom the pack's words could name (an e-mail): level 1 chooses it.
    to_classify = models.BooleanField(_("to classify"), default=False)
    # A new request about a closed one (a reply to it by e-mail, as the pack says).
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_by",
        verbose_name=_("follows"),
    )
    # Attached to a major incident in progress (forty calls about one outage): a child
    # keeps its number, requester and notes, has no ticket, clocks or assignees of its
    # own, and is resolved with its parent (services/links.py).
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attached",
        verbose_name=_("attached to"),
    )
    attached_at = models.DateTimeField(null=True, blank=True)
    # Merged into another opened for the same thing: its number answers with a pointer.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )
    # The language the requester speaks (blank: the institution's): what they are told
    # is written in it.
    requester_language = models.CharField(
        _("requester's language"), max_length=5, blank=True, choices=Language.choices
    )
    # When the requester of an attached call was told of its resolution (by e-mail when
    # they wrote, else called back by the desk: till then it waits on its parent's page).
    told_at = models.DateTimeField(null=True, blank=True)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    resolved_on_first_call = models.BooleanField(_("resolved on the first call"), default=False)
    # Solved on the call at this step (1, 2...) of this version of its symptom's guide.
    guide = models.ForeignKey(
        DiagnosticGuide,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="solved",
        verbose_name=_("diagnostic guide"),
    )
    guide_step = models.PositiveSmallIntegerField(_("solved at step"), null=True, blank=True)
    during_live_session = models.BooleanField(_("during a live session"), default=False)
    patient_safety = models.CharField(
        _("patient safety"), max_length=10, choices=PatientSafety.choices, blank=True, default=""
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    classification_rule = models.CharField(max_length=60)
    classification_reason = models.JSONField(default=dict)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Impact.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"))
    resolution = models.TextField(_("resolution"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("last activity"), default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The soonest due time of its running response clocks (kept by the on-call app through
    # services.set_due): the "due first" queue sorts by it. None: no clock running.
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    search_text = models.TextField(blank=True, editable=False)
    # A summary the product wrote (a live session's trouble, an outage, a silent source),
    # in both languages: shown in the reader's. Empty for a summary a person typed.
    summary_i18n = models.JSONField(default=dict, blank=True, editable=False)
    # The routing chart's answer given at intake (seed 003), as it stood then.
    route_plan = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-id"]  # newest first (ids follow intake order)
        permissions = [
            ("escalate_incident", "Can escalate an incident"),
            ("reclassify_incident", "Can reclassify an incident"),
            ("reprioritize_incident", "Can re-evaluate an incident's priority"),
            ("resolve_incident", "Can resolve an incident"),
            ("close_incident", "Can close an incident"),
            ("reopen_incident", "Can reopen an incident"),
            ("view_requester_history", "Can see a requester's other requests"),
            ("classify_incident", "Can choose the symptom of an incident to classify"),
        ]
        indexes = [
            models.Index(fields=["institution", "due_at", "id"], name="incident_due"),
            models.Index(fields=["institution", "-id"], name="inc_inst_newest"),
            models.Index(fields=["institution", "created_at"], name="inc_inst_created_at"),
            models.Index(fields=["institution", "status", "updated_at"], name="inc_inst_status"),
            models.Index(fields=["institution", "level", "status"], name="inc_inst_level"),
            models.Index(fields=["requester_name"], name="inc_requester"),
            models.Index(fields=["parent", "status"], name="inc_parent_status"),
            # the header's search by phone: the caller's number as they read it out
            models.Index(fields=["institution", "requester_phone"], name="inc_inst_phone"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=Status.values), name="inc_status_valid"),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="inc_severity_valid"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="inc_level_1_3"),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=5), name="inc_priority_1_5"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        """Whether the incident still needs work (not resolved, closed or cancelled)."""
        return self.status in Status.open_values()

    @property
    def phone_display(self) -> str:
        """The phone as people read it (514 934-1934), E.164 kept in the database."""

        return display_phone(self.requester_phone, self.institution.region)

    @property
    def reason(self) -> str:
        """Why it was escalated, in the reader's language."""
        return pick(self.classification_reason)

    @property
    def headline(self) -> str:
        """The summary as the reader reads it: in their language when the product wrote
        it, as typed otherwise."""
        return pick(self.summary_i18n) or self.summary

    def build_search_text(self) -> str:
        """The text the full-text index holds: number, requester, summary, description."""
        parts = [
            self.number,
            self.summary,
            *[v for k, v in sorted((self.summary_i18n or {}).items()) if v != self.summary],
            self.description,
            self.requester_name,
            self.requester_site,
            self.session_ref,
        ]

        return index_text(" ".join(p for p in parts if p))


class Ticket(models.Model):
    """The formal ticket (billet C2) that every major incident opens."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="ticket")
    number = models.CharField(_("ticket number"), max_length=30, unique=True)
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("formal ticket")
        verbose_name_plural = _("formal tickets")

    def __str__(self) -> str:
        return self.number


class TechnicalSheetEntry(models.Model):
    """A minor incident's line on the session's technical sheet (fiche technique)."""

    incident = models.OneToOneField(Incident, on_delete=models.PROTECT, related_name="sheet_entry")
    session_ref = models.CharField(max_length=60, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("technical sheet entry")
        verbose_name_plural = _("technical sheet entries")

    def __str__(self) -> str:
        return f"{self.incident.number} ({self.session_ref or '-'})"


class Escalation(models.Model):
    """A move to a higher level, or to an external partner at level 3."""

    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="escalations")
    from_level = models.PositiveSmallIntegerField(choices=Level.choices)
    to_level = models.PositiveSmallIntegerField(choices=Level.choices)
    reason = models.TextField(_("reason"))
    partner = models.CharField(_("external partner"), max_length=120, blank=True)
    partner_kind = models.CharField(max_length=20, choices=PartnerKind.choices, blank=True)
    # indexed: the search box finds an incident by its partner's reference
    external_ref = models.CharField(
        _("partner's ticket reference"), max_length=80, blank=True, db_index=True
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.incident.number}: {self.from_level} -> {self.to_level}"


class Assignment(models.Model):
    """A person assigned to an incident in a role (seed 001, important points 1-2)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="assignments")
    role = models.CharField(max_length=40)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="incident_assignments",
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [models.Index(fields=["user", "active"], name="inc_assign_user")]

    def __str__(self) -> str:
        return f"{self.incident.number}: {self.role} {self.user or '-'}"


class Note(models.Model):
    """A note on the incident's timeline: staff's (some sent to the requester by e-mail),
    or the requester's own reply (no author)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    text = models.TextField(_("note"))
    to_requester = models.BooleanField(_("sent to the requester"), default=False)
    by_requester = models.BooleanField(_("from the requester"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.incident.number}: {self.text[:40]}"
