"""One badge per coded field: label and colour defined once, in the app's choices."""

import pytest
from django.template import Context, Template
from django.utils import translation

from escalade.core.templatetags.escalade import _choices_classes, badged_field
from escalade.incidents.models import Incident
from escalade.incidents.tests.factories import log

TONES = {"major", "minor", "level", "status", "warn", "safety"}


def test_every_choices_with_tones_colours_each_of_its_values_with_a_known_colour():
    toned = [c for c in _choices_classes() if "tones" in vars(c)]
    assert len(toned) >= 9
    for cls in toned:
        tones = cls.tones()
        assert set(tones) == set(cls.values), cls
        assert set(tones.values()) <= TONES, cls


def test_a_field_without_tones_is_refused_loudly():
    with pytest.raises(LookupError):
        badged_field(Incident, "channel")


def test_the_badge_says_the_label_in_the_page_language_with_its_colour(cusm, team):
    incident = log(team["level1_agent"], cusm, symptom="bridge")  # a major symptom
    page = Template('{% load escalade %}{% badge incident "severity" %}')
    with translation.override("fr-ca"):
        html = page.render(Context({"incident": incident}))
    assert html == '<span class="badge major" title="Gravité">Majeur</span>', html
    page = Template('{% load escalade %}{% badge incident "status" "state" %}')
    with translation.override("en"):
        html = page.render(Context({"incident": incident}))
    assert 'id="state"' in html and ">New<" in html and 'class="badge status"' in html
