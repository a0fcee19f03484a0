"""Rules of the live protocol (pure): the recommendation at an elapsed time, who does
step 4 by session kind, and the follow-up work a cancel creates."""

from __future__ import annotations

from escalade.core.transitions import Transitions

from .choices import Recommendation, SessionKind, TaskKind


def recommendation_at(elapsed_s: int, warn_after_s: int, cancel_after_s: int) -> str | None:
    """None before the first mark, 'warn' from it, 'cancel' from the second."""
    if elapsed_s >= cancel_after_s:
        return Recommendation.CANCEL
    if elapsed_s >= warn_after_s:
        return Recommendation.WARN
    return None


def step_role(step: dict, kind: str) -> dict:
    """The role label of a step; step 4 depends on the session's kind (bridge or technician)."""
    role = step["role"]
    if "en" in role and "fr" in role:
        return role
    return role.get(kind) or role.get(SessionKind.POINT_TO_POINT)


def follow_up_work(
    patient_ids: list[int], professional: str = "", coordinator: str = ""
) -> list[tuple[str, int | None, str, str]]:
    """(kind, patient, assignee role, person) for a cancelled session. Step 7: the health
    professional or the coordinator of the requesting site explains to the patient; step 8:
    the requesting site's coordinator calls the session's other patients; step 9: the
    clinical coordinator books new appointments with the requesting site. The role tracks
    the task here (the site's people have no account); the person is who does it."""
    explainer = professional or coordinator
    caller = coordinator or professional
    work: list[tuple[str, int | None, str, str]] = [
        (TaskKind.EXPLAIN_TO_PATIENT, None, "clinical_coordinator", explainer),
    ]
    work += [
        (TaskKind.CALL_BACK_PATIENT, pid, "clinical_coordinator", caller) for pid in patient_ids
    ]
    work.append((TaskKind.REBOOK, None, "clinical_coordinator", ""))
    return work


# A session's status and its protocol's state move only along these tables.
SESSION = Transitions(
    {
        "troubleshoot": {"scheduled": "troubleshooting"},
        "solved": {"troubleshooting": "scheduled"},
        "cancel": {"scheduled": "cancelled", "troubleshooting": "cancelled"},
    }
)
PROTOCOL = Transitions({"resolve": {"open": "resolved"}, "cancel": {"open": "cancelled"}})
