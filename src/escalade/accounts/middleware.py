"""Show times in the time zone of the institution the signed-in user works in now."""

import time
import zoneinfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from escalade.core.errors import Code

from .services import oidc, otp, working_institution


class InstitutionTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tz = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # the one picked in the header, else their default: never merely the first
            # by name (a Montréal agent who also belongs to Pau saw Paris time)
            inst = working_institution(request)
            if inst is not None:
                tz = inst.timezone
        if tz:
            timezone.activate(zoneinfo.ZoneInfo(tz))
        else:
            timezone.deactivate()
        return self.get_response(request)


POLL_HEADER = "HTTP_X_ESCALADE_POLL"  # sent by pages that refresh themselves (not activity)


class IdleTimeout:
    """Signs a session out after ESCALADE_IDLE_MINUTES without activity (shared hospital
    workstations). A page's own refreshes (X-Escalade-Poll) are not activity; the page
    warns ESCALADE_IDLE_WARNING_SECONDS before (escalade.js) and offers to stay."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        limit = settings.ESCALADE_IDLE_MINUTES * 60
        if (
            limit <= 0
            or user is None
            or not user.is_authenticated
            or not hasattr(request, "session")
        ):
            return self.get_response(request)
        if request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer "):
            return self.get_response(request)
        now = time.time()
        last = request.session.get("escalade_active_at", now)
        if now - last > limit:
            logout(request)
            if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                response = JsonResponse(
                    {
                        "errors": [
                            {
                                "field": "",
                                "code": str(Code.IDLE),
                                "message": _("Signed out after inactivity."),
                            }
                        ]
                    },
                    status=401,
                )
                response["HX-Redirect"] = f"{settings.LOGIN_URL_PATH}?next={request.path}"
                return response
            messages.info(
                request,
                _("You were signed out after %(n)s minutes without activity.")
                % {"n": f"{settings.ESCALADE_IDLE_MINUTES:g}"},
            )
            if request.path == settings.LOGIN_URL_PATH:  # the page's timer brought it here
                return self.get_response(request)
            return redirect(f"{settings.LOGIN_URL_PATH}?next={request.get_full_path()}")
        if not request.META.get(POLL_HEADER):
            request.session["escalade_active_at"] = now
        return self.get_response(request)


class ProviderRecheck:
    """A session signed in through an OpenID provider is checked again with the provider
    now and then (services.oidc.recheck); one it refuses is signed out at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and hasattr(request, "session")
            and oidc.SESSION_KEY in request.session
        ):
            state = oidc.recheck(request)
            if state == oidc.KEPT:
                return self.get_response(request)
            logout(request)
            said = (
                _("Your account was ended by the hospital's directory.")
                if state == oidc.ENDED
                else _("Your session has to be renewed: sign in again.")
            )
            messages.error(request, said)
            if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                return JsonResponse(
                    {"errors": [{"field": "", "code": str(Code.UNAUTHENTICATED), "message": said}]},
                    status=401,
                )
            return redirect(settings.LOGIN_URL_PATH)
        return self.get_response(request)


class SecondFactorRequired:
    """An account that must have a second factor (services.otp.must_have) works only
    once its code was given in this session; until then every page leads to setting it
    up (or giving it). API tokens are not concerned: a token is made from a verified
    session, and dies with the account."""

    OPEN = ("/account/second-factor/", "/login/", "/logout/", "/static/", "/i18n/", "/jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(self.OPEN)
            and not request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer ")
            and otp.must_have(user)
            and not user.is_verified()
        ):
            if request.path.startswith("/api/") or request.headers.get("HX-Request"):
                return JsonResponse(
                    {
                        "errors": [
                            {
                                "field": "",
                                "code": str(Code.FORBIDDEN),
                                "message": _("Your account needs its second factor first."),
                            }
                        ]
                    },
                    status=403,
                )
            return redirect("accounts:second_factor_setup")
        return self.get_response(request)
