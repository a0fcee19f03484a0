"""A real OpenID provider for the tests, in a second process: django-oauth-toolkit with
OpenID Connect on (discovery, RS256 keys, PKCE required, refresh tokens, RP-initiated
logout), its own SQLite database, people and groups given in a JSON file.

    python oidc_provider.py FOLDER PORT   (FOLDER/config.json: key, clients, people)

`start(folder, config)` runs it on a free port and waits until it answers. The people's
groups come out in the ID token's `groups` claim. POST /test/disable/<username> disables
a person as an administrator would at the provider (their tokens revoked)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def pem(key) -> str:
    """A private key as PEM (PKCS#8), as the provider takes it."""
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Provider:
    def __init__(self, process, port, config):
        self.process, self.port, self.config = process, port, config

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery(self) -> str:
        return f"{self.base}/o/.well-known/openid-configuration"

    @property
    def issuer(self) -> str:
        return f"{self.base}/o"

    def allow(self, base: str, name: str = "hopital") -> None:
        """Register an Escalade at `base` (a live server's address) with the client."""
        requests.post(
            f"{self.base}/test/allow",
            {
                "redirect": f"{base}/login/oidc/{name}/callback/",
                "logout": f"{base}/login/",
            },
            timeout=10,
        ).raise_for_status()

    def disable(self, username: str) -> None:
        requests.post(f"{self.base}/test/disable/{username}", timeout=10).raise_for_status()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


CLIENT_ID = "escalade-test"
SECRET = "escalade-test-secret-0123456789"
PASSWORD = "Provider-Pass-1"
PEOPLE = [
    {"username": "nadia", "groups": ["GG-TELESANTE-N1"], "email": "nadia@hopital.example"},
    {"username": "omar", "groups": ["GG-TELESANTE-N2"], "email": "omar@hopital.example"},
    {"username": "paul", "groups": ["GG-TELESANTE-N1"], "email": "paul@hopital.example"},
    {"username": "rita", "groups": ["GG-AUTRE"], "email": "rita@hopital.example"},
    {"username": "sam", "groups": ["GG-TELESANTE-N2"], "email": "sam@hopital.example"},
    {"username": "tina", "groups": ["GG-TELESANTE-N1"], "email": "tina@hopital.example"},
    {"username": "ulla", "groups": ["GG-TELESANTE-N1"], "email": "ulla@hopital.example"},
    {"username": "vera", "groups": ["GG-TELESANTE-N1"], "email": "vera@hopital.example"},
    {"username": "will", "groups": ["GG-TELESANTE-N2"], "email": "will@hopital.example"},
]


def demo_config(key_pem: str) -> dict:
    """The test provider's people (groups the cusm pack maps) and Escalade's client,
    registered for the test client's address (others are added with allow())."""
    return {
        "key": key_pem,
        "people": [
            {**p, "password": PASSWORD, "given_name": p["username"].title()} for p in PEOPLE
        ],
        "clients": [
            {
                "client_id": CLIENT_ID,
                "client_secret": SECRET,
                "redirect_uris": ["http://testserver/login/oidc/hopital/callback/"],
                "post_logout_redirect_uris": ["http://testserver/login/"],
            }
        ],
    }


def escalade_settings(provider: Provider) -> list[dict]:
    """settings.ESCALADE_OIDC_PROVIDERS for this provider."""
    return [
        {
            "name": "hopital",
            "label_fr": "Compte de l'hôpital",
            "label_en": "Hospital account",
            "discovery": provider.discovery,
            "client_id": CLIENT_ID,
            "client_secret": SECRET,
        }
    ]


def start(folder: Path, config: dict) -> Provider:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.json").write_text(json.dumps(config))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    process = subprocess.Popen(
        [sys.executable, __file__, str(folder), str(port)],
        stdout=open(folder / "out.log", "w"),  # noqa: SIM115 - the process keeps it
        stderr=subprocess.STDOUT,
        env=env,
    )
    provider = Provider(process, port, config)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError((folder / "out.log").read_text()[-3000:])
        try:
            if requests.get(provider.discovery, timeout=2).status_code == 200:
                return provider
        except requests.RequestException:
            time.sleep(0.2)
    provider.stop()
    raise RuntimeError("the OpenID provider did not start within 60 s")


# -- the provider process ------------------------------------------------------------


def _serve(folder: Path, port: int) -> None:  # pragma: no cover - runs in its own process
    import django
    from django.conf import settings

    config = json.loads((folder / "config.json").read_text())
    settings.configure(
        DEBUG=False,
        SECRET_KEY="provider-test-only",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "oauth2_provider",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.sqlite3",
                "NAME": str(folder / "provider.sqlite3"),
            }
        },
        TEMPLATES=[
            {"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}
        ],
        LOGIN_URL="/login/",
        USE_TZ=True,
        # a throwaway provider: its tables made from its models (no migration to apply)
        # and its people's passwords hashed fast (PBKDF2 costs 0.3 s a person)
        MIGRATION_MODULES={
            app: None for app in ("auth", "contenttypes", "sessions", "oauth2_provider")
        },
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        OAUTH2_PROVIDER={
            "OIDC_ENABLED": True,
            "OIDC_RSA_PRIVATE_KEY": config["key"],
            "PKCE_REQUIRED": True,
            "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
            "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
            "OAUTH2_VALIDATOR_CLASS": f"{__name__}.Validator",
            "SCOPES": {"openid": "OpenID", "profile": "Profile", "email": "E-mail"},
            "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
        },
    )
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from django.core.servers.basehttp import WSGIServer, run
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, run_syncdb=True)
    for spec in config["people"]:
        user = User.objects.create_user(
            spec["username"],
            email=spec.get("email", ""),
            password=spec["password"],
            first_name=spec.get("given_name", ""),
            last_name=spec.get("family_name", ""),
        )
        for name in spec.get("groups", []):
            user.groups.add(Group.objects.get_or_create(name=name)[0])
    Application = get_application_model()
    for client in config["clients"]:
        Application.objects.create(
            name=client["client_id"],
            client_id=client["client_id"],
            client_secret=client["client_secret"],
            client_type=Application.CLIENT_CONFIDENTIAL,
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            redirect_uris=" ".join(client["redirect_uris"]),
            post_logout_redirect_uris=" ".join(client["post_logout_redirect_uris"]),
            algorithm=Application.RS256_ALGORITHM,
            skip_authorization=True,
        )
    WSGIServer.request_queue_size = 32
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


def _urls():  # pragma: no cover - the provider process's URLs
    from urllib.parse import quote

    from django.contrib.auth import login
    from django.contrib.auth.forms import AuthenticationForm
    from django.contrib.auth.models import User
    from django.http import HttpResponse, HttpResponseRedirect
    from django.urls import include, path
    from django.utils.html import escape
    from django.views.decorators.csrf import csrf_exempt
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    @csrf_exempt
    def sign_in(request):
        form = AuthenticationForm(request, data=request.POST or None)
        if request.method == "POST" and form.is_valid():
            login(request, form.get_user())
            return HttpResponseRedirect(request.GET.get("next", "/"))
        error = '<p id="error">refused</p>' if request.method == "POST" else ""
        return HttpResponse(
            "<!doctype html><html lang=en><title>Provider</title><main><h1>Hospital ID</h1>"
            f'{error}<form method="post" action="?next={escape(quote(request.GET.get("next", "/")))}">'
            '<label>Username <input name="username" id="id_username"></label>'
            '<label>Password <input name="password" type="password" id="id_password"></label>'
            '<button type="submit">Sign in at the provider</button></form></main></html>'
        )

    @csrf_exempt
    def disable(request, username):
        user = User.objects.get(username=username)
        user.is_active = False
        user.save()
        get_refresh_token_model().objects.filter(user=user).delete()
        get_access_token_model().objects.filter(user=user).delete()
        return HttpResponse("disabled")

    @csrf_exempt
    def allow(request):
        from oauth2_provider.models import get_application_model

        for app in get_application_model().objects.all():
            app.redirect_uris += " " + request.POST["redirect"]
            app.post_logout_redirect_uris += " " + request.POST["logout"]
            app.save()
        return HttpResponse("allowed")

    def home(request):
        who = request.user.username if request.user.is_authenticated else ""
        return HttpResponse(f"<!doctype html><p id=who>{escape(who)}</p>")

    return [
        path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
        path("login/", sign_in),
        path("test/disable/<str:username>", disable),
        path("test/allow", allow),
        path("", home),
    ]


def __getattr__(name):  # pragma: no cover - Django reads urlpatterns lazily
    if name == "urlpatterns":
        return _urls()
    if name == "Validator":
        return _validator()
    raise AttributeError(name)


def _validator():  # pragma: no cover - the provider process's claims
    from oauth2_provider.oauth2_validators import OAuth2Validator

    class Validator(OAuth2Validator):
        oidc_claim_scope = None  # every claim below, whatever the scopes

        def get_additional_claims(self, request):
            user = request.user
            return {
                "preferred_username": user.username,
                "email": user.email,
                "given_name": user.first_name,
                "family_name": user.last_name,
                "groups": sorted(user.groups.values_list("name", flat=True)),
                "locale": "fr-CA",
            }

    return Validator


if __name__ == "__main__":  # pragma: no cover
    _serve(Path(sys.argv[1]), int(sys.argv[2]))
