"""Idempotency-Key on API POSTs: a retried request gives the first answer again and
writes nothing new. The key is claimed in the same transaction as the request's writes,
so two concurrent retries wait for each other instead of both writing.

- The same key with another body (or path) answers 422; a first answer that was an error
  (4xx, 5xx) is not kept, so a corrected retry goes through.
- No answer is kept in clear. An endpoint whose answer has a GET twin names it with
  `replay_with(request, path)`: a retry is answered by running that GET as the user asking
  now (permission checked, personal health information audited as for any read). Other
  answers are kept sealed (core/seal.py: ESCALADE_SEAL_KEYS, re-sealed by
  `escalade rotate_seal_keys`) and given back only to the same user with unchanged roles
  and memberships. Records expire after ESCALADE_IDEMPOTENCY_HOURS and are purged hourly."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _

from . import seal
from .errors import Code
from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


# Who asks, and where they work: accounts gives these from its ready() (core imports no
# app). A bearer token to its user (or None); a user to the ids of their institutions.
def _no_user(token: str) -> object:
    return None


def _no_places(user) -> list[int]:
    return []


_user_from_token: Callable[[str], object] = _no_user
_places_of: Callable[[object], list[int]] = _no_places


def identify_with(user_from_token: Callable[[str], object], places_of: Callable) -> None:
    """Called by accounts: how a bearer token names its user, and a user's institutions."""
    global _user_from_token, _places_of  # noqa: PLW0603 (set once, at start-up)
    _user_from_token, _places_of = user_from_token, places_of


def replay_with(request, path: str) -> None:
    """Called by an endpoint: a retry of this request is answered by GET `path`."""
    request.escalade_replay_path = path


def purge(now: dt.datetime | None = None) -> int:
    """Delete the records older than ESCALADE_IDEMPOTENCY_HOURS (scheduled hourly:
    core.tasks.purge_idempotency); returns how many."""
    now = now or timezone.now()
    expired = now - dt.timedelta(hours=settings.ESCALADE_IDEMPOTENCY_HOURS)
    deleted, _rows = IdempotencyRecord.objects.filter(created_at__lt=expired).delete()
    return deleted


def reseal_all() -> int:
    """Re-seal every kept answer with the current key (escalade rotate_seal_keys)."""
    n = 0
    for record in IdempotencyRecord.objects.exclude(body=b"").only("pk", "body").iterator():
        IdempotencyRecord.objects.filter(pk=record.pk).update(body=seal.reseal(record.body))
        n += 1
    return n


def _user_of(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.lower().startswith("bearer "):
        return _user_from_token(auth[7:].strip())
    return None


def access_of(user) -> str:
    """What the user may do, as a digest: roles, institutions, active, superuser."""

    roles = sorted(user.groups.values_list("name", flat=True))
    places = sorted(_places_of(user))
    text = f"{user.pk}|{user.is_active}|{user.is_superuser}|{roles}|{places}"
    return hashlib.sha256(text.encode()).hexdigest()


def _error(message, status: int) -> JsonResponse:
    return JsonResponse(
        {
            "errors": [
                {"field": "Idempotency-Key", "code": str(Code.IDEMPOTENCY), "message": message}
            ]
        },
        status=status,
    )


def _twin(request, record: IdempotencyRecord) -> HttpResponse:
    """Answer a retry with the GET of the resource, run now as the user asking."""
    try:
        match = resolve(record.replay_path)
    except Resolver404:
        return _error(_("The resource of the first request no longer exists."), 404)
    request.method = "GET"
    request.META["REQUEST_METHOD"] = "GET"
    request.path = request.path_info = record.replay_path
    request._body = b""
    request.POST = request.POST.__class__()
    response = match.func(request, *match.args, **match.kwargs)
    if response.status_code == 200 and record.status != 200:
        response.status_code = record.status
    return response


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER, "").strip()
        if not key or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return _error(_("At most 200 characters."), 400)
        user = _user_of(request)
        if user is None:
            return self.get_response(request)
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        expired = timezone.now() - dt.timedelta(hours=settings.ESCALADE_IDEMPOTENCY_HOURS)
        with transaction.atomic():
            IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=expired).delete()
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user,
                        key=key,
                        method=request.method,
                        path=request.path,
                        fingerprint=fingerprint,
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.get(user=user, key=key)
                return self._replay(request, user, first, fingerprint)
            response = self.get_response(request)
            if response.status_code >= 400:
                # An error is not the answer to keep: undo the claim (the request wrote
                # nothing), so the corrected request can use the same key.
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.access = access_of(user)
            record.replay_path = getattr(request, "escalade_replay_path", "")[:300]
            record.body = b"" if record.replay_path else seal.seal(response.content)
            record.save(update_fields=["status", "access", "replay_path", "body"])
        return response

    def _replay(self, request, user, first: IdempotencyRecord, fingerprint: str):
        if first.path != request.path or first.fingerprint != fingerprint:
            return _error(_("This key was already used for another request."), 422)
        if first.replay_path:
            response = _twin(request, first)
        elif first.access != access_of(user):
            return _error(
                _("Your roles changed since the first request: send it again with a new key."),
                403,
            )
        else:
            response = HttpResponse(
                seal.open_sealed(bytes(first.body)),
                status=first.status,
                content_type="application/json",
            )
        response["Idempotent-Replayed"] = "true"
        return response
