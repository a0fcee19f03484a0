"""Sign-in through OpenID Connect providers (Microsoft Entra ID, an institution's own),
with Authlib: the authorization code flow with PKCE (S256), the provider's discovery
document, the ID token's signature (the provider's published keys), issuer, audience,
expiry and nonce checked, the state kept in the session and used once; sign-out at the
provider (RP-initiated logout). Several providers may be configured: the sign-in page
shows a button for each.

A session signed in this way is checked again every ESCALADE_OIDC_RECHECK_SECONDS with
its refresh token, at its next request and by the scheduled check (check_sessions) when
it makes none: a provider that refuses it (the account disabled or removed there) ends
the account here (sessions, API tokens: services.directory.end_account)."""

from __future__ import annotations

import json
import logging
import time
from importlib import import_module
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from joserfc.errors import JoseError

from ..models import DirectoryAccount
from . import directory

if TYPE_CHECKING:
    from authlib.integrations.django_client import DjangoOAuth2App

# Authlib's clients (and requests beneath them) load when a provider is first used, not
# at every process's start, most of which never sign anyone in (about 70 ms of a 2 s
# start: docs/benchmarks.md): app(), finish() and _refresh() import them.

log = logging.getLogger(__name__)

SESSION_KEY = "escalade_oidc"  # {"provider", "id_token", "refresh_token", "checked_at"}
TIMEOUT = 10  # seconds a provider is waited for


class Refused(Exception):
    """The provider's answer is not one to sign in with (a bad token, a state not ours,
    an error from the provider)."""


_APPS: dict[str, DjangoOAuth2App] = {}


def providers() -> list[dict]:
    """The configured providers (settings.ESCALADE_OIDC_PROVIDERS)."""
    return list(getattr(settings, "ESCALADE_OIDC_PROVIDERS", []) or [])


def provider(name: str) -> dict | None:
    """The provider of this name, or None."""
    return next((p for p in providers() if p.get("name") == name), None)


def app(config: dict) -> DjangoOAuth2App:
    """The Authlib client of a provider (kept per configuration: its discovery document
    and keys are fetched once, the keys again when a token names a new one)."""
    from authlib.integrations.django_client import (  # noqa: PLC0415 - see above
        DjangoIntegration,
        DjangoOAuth2App,
    )

    key = json.dumps(config, sort_keys=True)
    found = _APPS.get(key)
    if found is None:
        found = DjangoOAuth2App(
            DjangoIntegration(config["name"]),
            name=config["name"],
            client_id=config["client_id"],
            client_secret=config.get("client_secret", ""),
            server_metadata_url=config["discovery"],
            client_kwargs={
                "scope": config.get("scope", "openid email profile"),
                "code_challenge_method": "S256",
                "default_timeout": TIMEOUT,
            },
        )
        _APPS[key] = found
    return found


def buttons(request) -> list[dict]:
    """The sign-in page's buttons: each provider's label in the page's language."""
    english = (get_language() or "").startswith("en")
    found = []
    for config in providers():
        label = config.get("label_en" if english else "label_fr") or config["name"]
        found.append({"name": config["name"], "label": label})
    return found


def callback_url(request, name: str) -> str:
    """Where the provider sends the browser back (registered at the provider)."""
    return request.build_absolute_uri(reverse("accounts:oidc_callback", args=[name]))


def start(request, name: str, next_url: str = ""):
    """The redirection to the provider's sign-in (state, nonce and PKCE verifier kept in
    the session)."""
    config = provider(name)
    request.session["escalade_oidc_next"] = next_url
    return app(config).authorize_redirect(request, callback_url(request, name))


def person_from(config: dict, claims: dict) -> directory.Person:
    """Who the ID token says signed in."""
    username_claim = config.get("username_claim", "preferred_username")
    username = str(claims.get(username_claim) or claims.get("email") or claims["sub"])
    groups = claims.get(config.get("groups_claim", "groups")) or []
    if isinstance(groups, str):
        groups = [groups]
    locale = str(claims.get("locale") or "").lower()
    return directory.Person(
        source=f"oidc:{config['name']}",
        subject=str(claims["sub"]),
        username=username.lower()[:150],
        groups=[str(g) for g in groups],
        email=str(claims.get("email") or ""),
        first_name=str(claims.get("given_name") or ""),
        last_name=str(claims.get("family_name") or ""),
        language="fr-ca" if locale.startswith("fr") else ("en" if locale else ""),
    )


def finish(request, name: str):
    """The provider's answer on the callback: the token fetched with the code and the
    PKCE verifier, the ID token checked (signature, issuer, audience, expiry, nonce).
    Returns (Person, token); Refused otherwise."""
    config = provider(name)
    if config is None:
        raise Refused("unknown provider")
    from authlib.integrations.base_client import OAuthError  # noqa: PLC0415 - see above

    client = app(config)
    try:
        token = client.authorize_access_token(request)
    except (OAuthError, JoseError, ValueError, KeyError) as exc:
        log.warning("sign-in through %s refused: %s", name, exc)
        raise Refused(str(exc)) from exc
    claims = token.get("userinfo")
    if not claims:
        raise Refused("no ID token")
    return person_from(config, dict(claims)), token


def check_id_token(name: str, id_token: str, nonce: str, access_token: str = "") -> dict:
    """The claims of an ID token from provider `name`, checked as at sign-in (the
    signature against the provider's keys, issuer, audience, expiry, nonce); Refused
    otherwise."""
    client = app(provider(name))
    token = {"id_token": id_token}
    if access_token:
        token["access_token"] = access_token
    try:
        return dict(client.parse_id_token(token, nonce=nonce))
    except (JoseError, ValueError, KeyError) as exc:
        raise Refused(str(exc)) from exc


def remember(request, name: str, token: dict) -> None:
    """Keep in the session what sign-out and the recheck need."""
    request.session[SESSION_KEY] = {
        "provider": name,
        "id_token": token.get("id_token", ""),
        "refresh_token": token.get("refresh_token", ""),
        "checked_at": time.time(),
    }


KEPT, AGAIN, ENDED = "kept", "again", "ended"
_REFUSED, _DOWN = "refused", "down"


def _due(held: dict | None) -> bool:
    return bool(held) and (
        time.time() - held.get("checked_at", 0) >= settings.ESCALADE_OIDC_RECHECK_SECONDS
    )


def _refresh(held: dict) -> tuple[str, dict]:
    """Ask the provider again with the session's refresh token: (KEPT, the session's new
    value), (_REFUSED, held) when it refuses (the account disabled or removed there),
    (_DOWN, held) when it does not answer, (AGAIN, held) when it cannot be asked (no
    refresh token given, the provider no longer configured)."""
    config = provider(held["provider"])
    if config is None or not held.get("refresh_token"):
        return AGAIN, held
    from authlib.integrations.base_client import OAuthError  # noqa: PLC0415 - see above

    try:
        token = app(config).fetch_access_token(
            grant_type="refresh_token", refresh_token=held["refresh_token"]
        )
    except OAuthError as exc:
        log.warning("refresh refused by %s: %s", held["provider"], exc)
        return _REFUSED, held
    except Exception as exc:  # the provider is down: keep the session, say so
        log.error("provider %s does not answer: %s", held["provider"], exc)
        return _DOWN, held
    return KEPT, {
        **held,
        "refresh_token": token.get("refresh_token") or held["refresh_token"],
        "checked_at": time.time(),
    }


def session_store(session_key: str):
    """The configured session engine's store of this session."""
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def _refreshed_elsewhere(session_key: str, used: str) -> dict | None:
    """The session's value as stored now, when another request (or the scheduled check)
    has refreshed it since `used` was read: a provider that rotates refresh tokens
    refuses the old one, which is no refusal of the account."""
    store = session_store(session_key)
    now = store.load().get(SESSION_KEY) if store.exists(session_key) else None
    if now and now.get("refresh_token") and now["refresh_token"] != used:
        return now
    return None


def recheck(request) -> str:
    """For a session signed in through a provider: ask the provider again (refresh token)
    when ESCALADE_OIDC_RECHECK_SECONDS have passed. ENDED when the provider refuses the
    refresh (the account disabled or removed there): the account is ended here. AGAIN when
    the session cannot be checked (no refresh token given, the provider no longer
    configured): the person signs in again, at the provider. KEPT otherwise, also when the
    provider does not answer (logged: a provider's outage does not sign everyone out)."""
    held = request.session.get(SESSION_KEY)
    if not _due(held):
        return KEPT
    state, fresh = _refresh(held)
    if state == _REFUSED:
        newer = _refreshed_elsewhere(request.session.session_key, held["refresh_token"])
        if newer is not None:
            state, fresh = KEPT, newer
    if state in (KEPT, _DOWN):
        request.session[SESSION_KEY] = fresh
        return KEPT
    if state == AGAIN:
        return AGAIN
    account = DirectoryAccount.objects.filter(user=request.user).first()
    if account is not None:
        directory.end_account(account, "refresh refused by the provider")
    return ENDED


def check_sessions() -> dict:
    """The scheduled check of the sessions signed in through a provider, so that an
    account disabled there ends within minutes even when its session makes no request
    (and its API tokens with it): each session due is refreshed at its provider; one the
    provider refuses ends its account. Counts what was done."""
    done = {"checked": 0, "refreshed": 0, "ended": 0, "unanswered": 0}
    now = timezone.now()
    for row in Session.objects.filter(expire_date__gt=now).iterator():
        store = session_store(row.session_key)
        data = store.decode(row.session_data)
        held = data.get(SESSION_KEY)
        if not _due(held) or not held.get("refresh_token"):
            continue
        done["checked"] += 1
        state, fresh = _refresh(held)
        if state == _REFUSED and _refreshed_elsewhere(row.session_key, held["refresh_token"]):
            continue
        if state == _DOWN:
            done["unanswered"] += 1
        elif state == KEPT:
            with transaction.atomic():
                current = session_store(row.session_key)
                if current.exists(row.session_key):
                    current.load()
                    current[SESSION_KEY] = fresh
                    current.save(must_create=False)
            done["refreshed"] += 1
        elif state == _REFUSED:
            account = DirectoryAccount.objects.filter(
                user_id=data.get("_auth_user_id"), ended_at__isnull=True
            ).first()
            if account is not None:
                directory.end_account(account, "refresh refused by the provider")
                done["ended"] += 1
    return done


def logout_url(request) -> str:
    """Where sign-out sends the browser: the provider's end-session endpoint (with the ID
    token as hint and our sign-in page to come back to), or "" for a local session."""
    held = request.session.get(SESSION_KEY)
    config = provider(held["provider"]) if held else None
    if config is None:
        return ""
    try:
        result = app(config).create_logout_url(
            post_logout_redirect_uri=request.build_absolute_uri(settings.LOGIN_URL_PATH),
            id_token_hint=held.get("id_token") or None,
            client_id=config["client_id"],
        )
    except Exception as exc:  # no end-session endpoint, or the provider is down
        log.warning("no sign-out at %s: %s", held["provider"], exc)
        return ""
    return result["url"]
