"""The shared date-and-time field: read and shown in the institution's zone, and says so."""

import datetime as dt

from django import forms
from django.utils import timezone, translation

from escalade.core.fields import LocalDateTimeField


class Form(forms.Form):
    start = LocalDateTimeField(label="Start")
    end = LocalDateTimeField(label="End", help_text="")


def test_it_reads_and_shows_the_time_in_the_active_zone_and_says_which():
    with timezone.override("Europe/Paris"), translation.override("fr-ca"):
        form = Form({"start": "2026-12-08T20:00", "end": "2026-12-09T08:00"})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["start"] == dt.datetime(2026, 12, 8, 19, 0, tzinfo=dt.UTC)
        html = str(Form(initial={"start": form.cleaned_data["start"]}))
    assert 'value="2026-12-08T20:00"' in html  # what the browser's picker takes
    assert "l'heure de l'établissement (Europe/Paris)" in html.replace("&#x27;", "'")
    with timezone.override("America/Montreal"), translation.override("en"):
        html = str(Form())
    assert html.count("In the institution's time (America/Montreal).") == 1  # not "end"
