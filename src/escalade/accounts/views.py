"""Sign-in with throttling of repeated failures."""

import datetime as dt

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import LoginFailure


def _address(request) -> str:
    return request.META.get("REMOTE_ADDR", "")[:45]


class ThrottledLoginView(auth_views.LoginView):
    """Django's LoginView, refusing a username or address after too many failures."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def _blocked(self) -> bool:
        since = timezone.now() - dt.timedelta(seconds=settings.ESCALADE_LOGIN_WINDOW_SECONDS)
        username = self.request.POST.get("username", "")[:150]
        failures = LoginFailure.objects.filter(at__gte=since).filter(
            Q(username__iexact=username) | Q(address=_address(self.request))
        )
        return failures.count() >= settings.ESCALADE_LOGIN_MAX_FAILURES

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
