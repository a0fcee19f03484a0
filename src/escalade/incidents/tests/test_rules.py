"""Classification, priority and transitions as pure functions over pack data."""

import pytest
import yaml

from conftest import CUSM_PACK
from escalade.incidents import rules
from escalade.incidents.choices import Status

PACK = yaml.safe_load((CUSM_PACK / "incidents.yaml").read_text())
RULES = PACK["classification"]
MATRIX = PACK["priority"]["matrix"]
MAJOR = [
    "lan",
    "wan",
    "ritm",
    "codec",
    "audio_video",
    "bridge",
    "telehealth_app",
    "equipment_breakage",
    "peripheral_malfunction",
    "packet_loss",
    "misconfiguration",
]


@pytest.mark.parametrize("code", MAJOR)
def test_a_category_of_the_major_list_is_major_at_intake(code):
    result = rules.classify(rules.Facts(code, "major", level=1), RULES, {"en": code, "fr": code})
    assert result.severity == "major"
    assert result.rule == "major_symptom"
    assert code in result.reason["en"] and code in result.reason["fr"]


@pytest.mark.parametrize(
    "code,group", [("sound_simple", "minor"), ("pc_simple", "minor"), ("other", "other")]
)
@pytest.mark.parametrize("channel", ["email", "web"])
def test_anything_else_is_minor_while_level_1_holds_it(code, group, channel):
    result = rules.classify(rules.Facts(code, group, 1, False, channel=channel), RULES)
    assert (result.severity, result.rule) == ("minor", "held_at_level_1")


@pytest.mark.parametrize("code,group", [("sound_simple", "minor"), ("codec", "major")])
def test_any_incident_resolved_on_the_first_call_is_minor(code, group):
    """Seed 000: « Tout incident résolu au premier appel » is minor, a codec's too."""
    result = rules.classify(rules.Facts(code, group, 1, True, channel="phone"), RULES)
    assert (result.severity, result.rule) == ("minor", "resolved_on_first_call")
    assert "first call" in result.reason["en"] and "premier appel" in result.reason["fr"]


def test_a_call_not_resolved_on_the_first_call_is_major():
    """Seed 000: « Tout incident n'ayant pas été résolu au niveau 1 ou au premier appel »."""
    result = rules.classify(rules.Facts("sound_simple", "minor", 1, False, channel="phone"), RULES)
    assert (result.severity, result.rule) == ("major", "not_resolved_on_first_call")


@pytest.mark.parametrize("level", [2, 3])
def test_escalation_beyond_level_1_makes_it_major(level):
    result = rules.classify(rules.Facts("pc_simple", "minor", level), RULES)
    assert result.severity == "major"
    assert result.rule == "not_resolved_at_level_1"
    assert f"level {level}" in result.reason["en"]


def test_a_pack_without_a_catch_all_refuses_to_guess():
    with pytest.raises(ValueError):
        rules.classify(rules.Facts("x", "other", 1), RULES[:1])


@pytest.mark.parametrize(
    "impact,urgency,expected",
    [
        ("high", "high", 1),
        ("high", "medium", 2),
        ("medium", "high", 2),
        ("medium", "medium", 3),
        ("high", "low", 3),
        ("low", "high", 3),
        ("medium", "low", 4),
        ("low", "medium", 4),
        ("low", "low", 5),
    ],
)
def test_priority_follows_the_itil_matrix(impact, urgency, expected):
    assert rules.priority(impact, urgency, MATRIX) == expected


def test_transitions_allow_only_the_lifecycle():
    assert rules.next_status("start", Status.NEW) == Status.IN_PROGRESS
    assert rules.next_status("close", Status.IN_PROGRESS) is None
    assert rules.next_status("close", Status.RESOLVED) == Status.CLOSED
    assert rules.next_status("reopen", Status.CLOSED) == Status.IN_PROGRESS
    assert rules.next_status("resolve", Status.CLOSED) is None


def test_escalation_goes_up_and_level_3_can_engage_more_partners():
    assert rules.can_escalate(Status.NEW, 1, 2, None)
    assert rules.can_escalate(Status.IN_PROGRESS, 1, 3, None)
    assert not rules.can_escalate(Status.IN_PROGRESS, 2, 1, None)
    assert rules.can_escalate(Status.IN_PROGRESS, 2, 2, "Provincial service desk")  # seed 002
    assert not rules.can_escalate(Status.IN_PROGRESS, 1, 1, "Bell")
    assert not rules.can_escalate(Status.IN_PROGRESS, 2, 2, "")
    assert rules.can_escalate(Status.IN_PROGRESS, 3, 3, "Bell")
    assert not rules.can_escalate(Status.IN_PROGRESS, 3, 3, "")
    assert not rules.can_escalate(Status.RESOLVED, 1, 2, None)
