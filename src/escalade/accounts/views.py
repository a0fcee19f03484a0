"""Sign-in with throttling of repeated failures."""

import datetime as dt

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from escalade.core.errors import NotFound
from escalade.core.public import client_address

from . import rules
from .models import ApiToken, LoginFailure
from .services import create_api_token, revoke_api_token


def _address(request) -> str:
    return client_address(request)


class ThrottledLoginView(auth_views.LoginView):
    """Django's LoginView, slowing a guesser without locking the account's owner out:
    - an account and an address together are refused after ESCALADE_LOGIN_MAX_FAILURES
      failures (the same colleague elsewhere, at their own workstation, still signs in);
    - an account's attempts wait 1, 2, 4... seconds after its failures beyond the first
      three, whatever the address, never more than ESCALADE_LOGIN_MAX_DELAY_SECONDS;
    - an address is refused after ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS failures of any
      accounts (a hospital's NAT puts a whole floor behind one address: set it high).
    Failures count over ESCALADE_LOGIN_WINDOW_SECONDS."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def _wait(self) -> str:
        """Why this attempt is not heard now ("" when it is)."""
        now = timezone.now()
        since = now - dt.timedelta(seconds=settings.ESCALADE_LOGIN_WINDOW_SECONDS)
        username = self.request.POST.get("username", "")[:150]
        address = _address(self.request)
        recent = LoginFailure.objects.filter(at__gte=since)
        account = recent.filter(username__iexact=username)
        minutes = settings.ESCALADE_LOGIN_WINDOW_SECONDS // 60
        if (
            account.filter(address=address).count() >= settings.ESCALADE_LOGIN_MAX_FAILURES
            or recent.filter(address=address).count()
            >= settings.ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS
        ):
            return _(
                "Too many failed sign-ins from this workstation. Wait %(minutes)s minutes "
                "and try again, or sign in from another workstation."
            ) % {"minutes": minutes}
        failures = account.count()
        delay = rules.sign_in_delay(failures, 3, settings.ESCALADE_LOGIN_MAX_DELAY_SECONDS)
        last = account.order_by("-at").values_list("at", flat=True).first()
        if delay and last is not None:
            left = delay - (now - last).total_seconds()
            if left > 0:
                return _(
                    "Several failed sign-ins for this account: wait %(seconds)s seconds and "
                    "try again."
                ) % {"seconds": max(1, round(left))}
        return ""

    def post(self, request, *args, **kwargs):
        message = self._wait()
        if message:
            form = self.get_form_class()(request=request)
            context = self.get_context_data(form=form, throttled=message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        LoginFailure.objects.create(
            username=self.request.POST.get("username", "")[:150], address=_address(self.request)
        )
        return super().form_invalid(form)

    def form_valid(self, form):
        LoginFailure.objects.filter(username__iexact=form.get_user().get_username()).delete()
        return super().form_valid(form)


class ThrottledAdminLoginView(ThrottledLoginView):
    """The admin's sign-in page, throttled like the other."""

    template_name = "accounts/admin_login.html"
    redirect_authenticated_user = False

    def get_form_class(self):
        return AdminAuthenticationForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context.setdefault("title", _("Log in"))
        context["app_path"] = self.request.get_full_path()
        return context

    def get_success_url(self):
        return self.get_redirect_url() or "/admin/"


@login_required
def tokens(request):
    """The user's own API tokens: make one (shown once), see when each was used and when
    it expires, revoke one."""

    made = None
    error = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()
        try:
            days = int(request.POST.get("days") or settings.ESCALADE_TOKEN_DAYS)
        except ValueError:
            days = 0
        if not 1 <= days <= settings.ESCALADE_TOKEN_DAYS:
            error = _("Between 1 and %(n)s days.") % {"n": settings.ESCALADE_TOKEN_DAYS}
        else:
            made = create_api_token(request.user, name, days=days)
            messages.success(request, _("Token created: copy it now, it is shown only once."))
    rows = ApiToken.objects.filter(user=request.user).order_by("-created_at")
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": rows,
            "made": made,
            "error": error,
            "now": timezone.now(),
            "max_days": settings.ESCALADE_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    try:
        token = revoke_api_token(request.user, token_id)
    except NotFound:
        messages.error(request, _("No such token."))
    else:
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("accounts:tokens")


@login_required
@require_POST
def alive(request):
    """The "stay signed in" button: counts as activity (IdleTimeout)."""

    return JsonResponse({"idle_seconds": settings.ESCALADE_IDLE_MINUTES * 60})
