"""Names every part of the package shares."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

TROUBLESHOOT = "troubleshoot_telesession"
CANCEL = "cancel_telesession"
VIEW_PATIENT = "view_patient"
ADD = "add_telesession"


ELSEWHERE = gettext_lazy("This session belongs to another institution.")
