"""Idempotency-Key on API POSTs: a retried request returns the first response again and
writes nothing new. The key is claimed in the same transaction as the request's writes,
so two concurrent retries wait for each other instead of both writing."""

from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"


def _user_of(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.lower().startswith("bearer "):
        from escalade.accounts.services import user_from_token

        return user_from_token(auth[7:].strip())
    return None


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER, "").strip()
        if not key or request.method != "POST" or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > 200:
            return JsonResponse(
                {"errors": [{"field": "Idempotency-Key", "message": _("At most 200 characters.")}]},
                status=400,
            )
        user = _user_of(request)
        if user is None:
            return self.get_response(request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=user, key=key, method=request.method, path=request.path
                    )
            except IntegrityError:
                first = IdempotencyRecord.objects.get(user=user, key=key)
                if first.path != request.path:
                    return JsonResponse(
                        {
                            "errors": [
                                {
                                    "field": "Idempotency-Key",
                                    "message": _("This key was already used for another request."),
                                }
                            ]
                        },
                        status=422,
                    )
                replay = HttpResponse(
                    bytes(first.body), status=first.status, content_type="application/json"
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.body = response.content
            record.save(update_fields=["status", "body"])
        return response
