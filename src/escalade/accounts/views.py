"""Sign-in with throttling of repeated failures."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailure


def _address(request) -> str:
    """The client's address: REMOTE_ADDR, or behind the TLS proxy (ESCALADE_BEHIND_PROXY=1)
    the last address of X-Forwarded-For, the one the proxy itself added."""
    if settings.ESCALADE_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if forwarded:
            return forwarded[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


class ThrottledLoginView(auth_views.LoginView):
    """Django's LoginView, refusing an account after ESCALADE_LOGIN_MAX_FAILURES failures,
    and an address after ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS (a hospital's NAT puts a
    whole floor behind one address: one person's mistakes must not lock out the others)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def _blocked(self) -> bool:
        since = timezone.now() - dt.timedelta(seconds=settings.ESCALADE_LOGIN_WINDOW_SECONDS)
        username = self.request.POST.get("username", "")[:150]
        recent = LoginFailure.objects.filter(at__gte=since)
        return (
            recent.filter(username__iexact=username).count() >= settings.ESCALADE_LOGIN_MAX_FAILURES
            or recent.filter(address=_address(self.request)).count()
            >= settings.ESCALADE_LOGIN_MAX_FAILURES_PER_ADDRESS
        )

    def post(self, request, *args, **kwargs):
        if self._blocked():
            message = _("Too many failed sign-ins. Wait %(minutes)s minutes and try again.") % {
                "minutes": settings.ESCALADE_LOGIN_WINDOW_SECONDS // 60
            }
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
        from django.contrib.admin.forms import AdminAuthenticationForm

        return AdminAuthenticationForm

    def get_context_data(self, **kwargs):
        from django.contrib import admin

        context = super().get_context_data(**kwargs)
        context.update(admin.site.each_context(self.request))
        context.setdefault("title", _("Log in"))
        context["app_path"] = self.request.get_full_path()
        return context

    def get_success_url(self):
        return self.get_redirect_url() or "/admin/"
