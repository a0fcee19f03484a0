"""Show times in the signed-in user's institution's time zone."""

import zoneinfo

from django.utils import timezone


class InstitutionTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            from .services import institutions_of

            inst = institutions_of(user).only("timezone").first()
            if inst is not None:
                tz = inst.timezone
        if tz:
            timezone.activate(zoneinfo.ZoneInfo(tz))
        else:
            timezone.deactivate()
        return self.get_response(request)
