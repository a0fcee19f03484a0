"""Sign-in with throttling of repeated failures."""

import datetime as dt
import logging
import time

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp_webauthn import views as passkey_views
from django_otp_webauthn.exceptions import NotAuthenticated, OTPWebAuthnApiError
from django_otp_webauthn.utils import rewrite_exceptions

from escalade.core.errors import Code, Forbidden, Invalid, NotFound
from escalade.core.public import client_address

from . import rules
from .models import ApiToken, LoginFailure
from .services import create_api_token, directory, oidc, otp, revoke_api_token

PENDING = "escalade_second_factor"  # the account whose password was right, for 5 minutes


def _address(request) -> str:
    return client_address(request)


def _sign_in_problem(problem: str) -> str:
    """What the sign-in page says when the directory, not the password, is the reason."""
    if problem == "directory_down":
        return _(
            "The hospital's directory does not answer. Try again in a minute; a local "
            "account (break-glass) still signs in."
        )
    if problem == "no_role":
        return directory.no_role_message()
    return problem


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
        if not settings.ESCALADE_LOCAL_SIGN_IN and type(self) is ThrottledLoginView:
            raise PermissionDenied(_("Sign in with your institution's account."))
        message = self._wait()
        if message:
            form = self.get_form_class()(request=request)
            context = self.get_context_data(form=form, throttled=message)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["providers"] = oidc.buttons(self.request)
        context["local_sign_in"] = settings.ESCALADE_LOCAL_SIGN_IN
        return context

    def form_invalid(self, form):
        LoginFailure.objects.create(
            username=self.request.POST.get("username", "")[:150], address=_address(self.request)
        )
        problem = getattr(self.request, "escalade_sign_in_problem", "")
        if problem:
            form.errors.clear()
            form.add_error(None, _sign_in_problem(problem))
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        LoginFailure.objects.filter(username__iexact=user.get_username()).delete()
        if otp.has_second_factor(user):
            # the password was right: the code or the passkey comes next
            self.request.session[PENDING] = {
                "user": user.pk,
                "backend": user.backend,
                "next": self.get_success_url(),
                "at": time.time(),
            }
            return redirect("accounts:second_factor")
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


def oidc_start(request, name):
    """The provider's button: off to its sign-in page."""
    if oidc.provider(name) is None:
        raise Http404
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    return oidc.start(request, name, next_url)


def oidc_callback(request, name):
    """The provider sends the browser back here: signed in with the mapped roles, or
    the sign-in page with the reason."""
    try:
        person, token = oidc.finish(request, name)
        user = directory.signed_in(person)
        problem = "" if user is not None else "no_role"
    except oidc.Refused:
        person, user, problem = None, None, _("The sign-in through the provider was refused.")
    except Forbidden as refused:
        user, problem = None, str(refused.message)
    if user is None:
        username = person.username if person else ""
        request.escalade_sign_in_problem = problem
        user_login_failed.send(__name__, credentials={"username": username}, request=request)
        messages.error(request, _sign_in_problem(problem))
        return redirect(settings.LOGIN_URL_PATH)
    next_url = request.session.get("escalade_oidc_next") or settings.LOGIN_REDIRECT_URL
    request.escalade_sign_in_via = f"oidc:{name}"
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    oidc.remember(request, name, token)
    return redirect(next_url)


@require_POST
def sign_out(request):
    """Sign out here, then at the provider when the session came from one."""
    at_provider = oidc.logout_url(request) if request.user.is_authenticated else ""
    auth_logout(request)
    return redirect(at_provider or settings.LOGIN_URL_PATH)


def _pending(request):
    """The account whose password was right in this session less than 5 minutes ago,
    and what was noted then (None once expired or used)."""
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > 300:
        request.session.pop(PENDING, None)
        return None, None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    return (user, pending) if user is not None else (None, None)


def _second_factor_failed(request, user) -> None:
    LoginFailure.objects.create(username=user.get_username(), address=_address(request))
    request.escalade_sign_in_problem = "second_factor"
    user_login_failed.send(__name__, credentials={"username": user.get_username()}, request=request)


def second_factor(request):
    """After a right password, the code from the authenticator app or the passkey: then
    signed in."""
    user, pending = _pending(request)
    if user is None:
        return redirect(settings.LOGIN_URL_PATH)
    error = ""
    if request.method == "POST":
        device = otp.verify(user, request.POST.get("code", ""))
        if device is not None:
            request.session.pop(PENDING, None)
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            return redirect(pending["next"])
        _second_factor_failed(request, user)
        error = _("This code is not the one the authenticator shows now.")
    return render(
        request,
        "accounts/second_factor.html",
        {
            "error": error,
            "totp": otp.device_of(user) is not None,
            "passkey": bool(otp.passkeys_of(user)),
        },
        status=200 if not error else 400,
    )


def _passkey_refusal(exc: OTPWebAuthnApiError) -> JsonResponse:
    """The ceremonies' refusals in the API's shape, in the user's language."""
    if exc.code in ("invalid_state", "not_authenticated"):
        code, message = Code.UNAUTHENTICATED, _("Sign in again: this request has expired.")
    elif exc.code == "user_not_verified":
        code = Code.FORBIDDEN
        message = _("Give your current second factor first, then add the passkey.")
    elif exc.code == "directory_account":
        code, message = Code.FORBIDDEN, _("Your account's second factor is the directory's.")
    elif exc.code in ("user_disabled", "passwordless_login_disabled"):
        code, message = Code.FORBIDDEN, _("This account cannot sign in with a passkey.")
    elif exc.code == "malformed_request":
        code, message = Code.JSON_INVALID, _("The browser's answer could not be read.")
    else:
        code = Code.BAD_PASSKEY
        message = _("This passkey was not accepted: use one registered for this account.")
    return JsonResponse(
        {"errors": [{"field": "passkey", "code": str(code), "message": message}]},
        status=exc.status_code if exc.status_code < 500 else 400,
    )


class _DirectoryAccount(OTPWebAuthnApiError):
    status_code = 403
    default_code = "directory_account"


class _PasskeyRegistration:
    """Registering a passkey: a local account's own, signed in (and past its second
    factor when it has one: django-otp-webauthn checks)."""

    def check_can_register(self):
        if not otp.is_local(self.request.user):
            raise _DirectoryAccount()

    def handle_exception(self, exc):
        if isinstance(exc, OTPWebAuthnApiError):
            return _passkey_refusal(exc)
        raise exc


class PasskeyRegisterBegin(_PasskeyRegistration, passkey_views.BeginCredentialRegistrationView):
    pass


class PasskeyRegisterComplete(
    _PasskeyRegistration, passkey_views.CompleteCredentialRegistrationView
):
    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()  # used once, even when what follows fails
        with rewrite_exceptions(logger=logging.getLogger("escalade.passkeys")):
            with transaction.atomic():
                device = self.get_helper().register_complete(
                    user=user, state=state, data=self.request.data
                )
                otp.passkey_added(user, device, self.request.GET.get("name", ""))
        if not user.is_verified():
            otp_login(self.request, device)
        messages.success(self.request, _("The passkey is added: it is asked at each sign-in."))
        return JsonResponse({"id": device.pk})


class _PasskeySignIn:
    """The passkey after the password: the account is the one whose password was right
    in this session (never a sign-in by the passkey alone)."""

    def get_user(self):
        user, self.pending = _pending(self.request)
        return user

    def check_can_authenticate(self):
        if self.get_user() is None:
            raise NotAuthenticated()

    def handle_exception(self, exc):
        if isinstance(exc, OTPWebAuthnApiError):
            user, _pending_now = _pending(self.request)
            if user is not None and exc.code not in ("invalid_state", "not_authenticated"):
                _second_factor_failed(self.request, user)
            return _passkey_refusal(exc)
        raise exc


class PasskeySignInBegin(_PasskeySignIn, passkey_views.BeginCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        user = self.get_user()
        data, state = self.get_helper().authenticate_begin(
            user=user, require_user_verification=False
        )
        self.request.session["otp_webauthn_authentication_state"] = state
        return JsonResponse(data)


class PasskeySignInComplete(_PasskeySignIn, passkey_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        self.request.session.pop(PENDING, None)
        auth_login(self.request, device.user, backend=self.pending["backend"])
        otp_login(self.request, device)

    def get_success_url(self):
        return self.pending["next"]


@login_required
def second_factor_setup(request):
    """Set up, replace or remove one's authenticator app and passkeys (local accounts)."""
    if not otp.is_local(request.user):
        messages.info(request, _("Your account's second factor is the directory's."))
        return redirect("/")
    error, error_field = "", ""
    if request.method == "POST":
        try:
            if request.POST.get("remove_passkey"):
                if otp.has_second_factor(request.user) and not request.user.is_verified():
                    raise Invalid(
                        _("Give your current second factor first."),
                        field="passkey",
                        code=Code.FORBIDDEN,
                    )
                otp.remove_passkey(request.user, int(request.POST["remove_passkey"]))
                messages.success(request, _("The passkey is removed."))
            elif request.POST.get("remove"):
                otp.remove(request.user, request.POST.get("code", ""))
                messages.success(request, _("The authenticator is removed."))
            else:
                device = otp.confirm(request.user, request.POST.get("code", ""))
                otp_login(request, device)
                messages.success(
                    request, _("The authenticator is set up: its code is asked at each sign-in.")
                )
            return redirect("accounts:second_factor_setup")
        except Invalid as refused:
            error, error_field = str(refused.message), refused.field
        except ValueError:
            error, error_field = _("No such passkey."), "passkey"
    device = otp.device_of(request.user)
    pending = otp.pending_device(request.user)
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "device": device,
            "required": otp.must_have(request.user),
            "qr": otp.qr_svg(pending),
            "secret": otp.secret_of(pending),
            "passkeys": otp.passkeys_of(request.user),
            "error": error if error_field != "passkey" else "",
            "passkey_error": error if error_field == "passkey" else "",
        },
        status=400 if error else 200,
    )
