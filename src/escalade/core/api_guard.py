"""Bad input to the JSON API gets the JSON error of docs/api/index.md before any view runs, and
what Django would answer in HTML (404, 413, 414, 500) is answered in JSON under /api/.

Refused here, whatever the endpoint: a NUL character in a text or a parameter
(PostgreSQL cannot store it), an integer beyond what the database holds, a text longer
than ESCALADE_API_MAX_TEXT, a URL longer than ESCALADE_API_MAX_URL, a body larger than
DATA_UPLOAD_MAX_MEMORY_SIZE, a body that is not declared as JSON."""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import bad_request as html_bad_request
from django.views.defaults import page_not_found
from django.views.defaults import server_error as html_server_error

from . import logs
from .errors import Code

LOG = logging.getLogger("escalade.api")
MAX_INT = 2**31 - 1  # the database's integer columns
FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
# The operations that take a file (multipart/form-data), up to ESCALADE_API_MAX_UPLOAD.
UPLOADS = (
    re.compile(r"^/api/datasources/[^/]+/worksheets$"),
    re.compile(r"^/api/conformance-reports$"),
)


def api_error(field: str, code: Code, message, status: int, **extra) -> JsonResponse:
    return JsonResponse(
        {"errors": [{"field": field, "code": str(code), "message": str(message)}], **extra},
        status=status,
    )


# How deep a JSON body may nest: no form of the API needs more than a few levels, and
# the parser and the checks below recurse.
MAX_DEPTH = 32


def _nesting(body: bytes) -> int:
    """The deepest nesting of [ and { in a JSON text, outside its strings (one pass, no
    recursion: a body of 100,000 "[" is measured, not parsed)."""
    if body.count(b"[") + body.count(b"{") <= MAX_DEPTH:  # the usual body: no need to walk
        return 0
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def _scan(value, field: str):
    """The first (field, code, message) wrong in a parsed JSON value, or None."""
    if isinstance(value, str):
        if "\x00" in value:
            return field, Code.NUL, _("A text may not contain the NUL character.")
        if len(value) > settings.ESCALADE_API_MAX_TEXT:
            return (
                field,
                Code.TOO_LONG,
                _("At most %(n)s characters.") % {"n": settings.ESCALADE_API_MAX_TEXT},
            )
    elif isinstance(value, bool):
        return None
    elif isinstance(value, int):
        if abs(value) > MAX_INT:
            return field, Code.OUT_OF_RANGE, _("At most %(n)s.") % {"n": MAX_INT}
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")) or abs(value) > MAX_INT:
            return field, Code.OUT_OF_RANGE, _("At most %(n)s.") % {"n": MAX_INT}
    elif isinstance(value, dict):
        for key, item in value.items():
            found = _scan(key, field) or _scan(item, f"{field}.{key}" if field else str(key))
            if found:
                return found
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found = _scan(item, f"{field}.{n}" if field else str(n))
            if found:
                return found
    return None


# Query parameters that are text even when typed as digits (a phone: 5149341934).
TEXT_PARAMETERS = frozenset({"q", "phone"})


def _scan_parameter(key: str, value: str):
    found = _scan(value, key)
    if found or key in TEXT_PARAMETERS:
        return found
    text = value.strip()
    if text.lstrip("-").isdigit() and abs(int(text)) > MAX_INT:
        return key, Code.OUT_OF_RANGE, _("At most %(n)s.") % {"n": MAX_INT}
    return None


def _as_empty_json(request) -> None:
    """No body (or an empty form) is an empty JSON object: an action whose fields are all
    optional (restore, close) needs none, and each missing required field is named."""
    request._body = b"{}"
    request.META["CONTENT_TYPE"] = "application/json"
    request.content_type = "application/json"


class ApiInputGuard:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(request.get_full_path()) > settings.ESCALADE_API_MAX_URL:
            return api_error(
                "",
                Code.URL_TOO_LONG,
                _("The address is too long (at most %(n)s characters).")
                % {"n": settings.ESCALADE_API_MAX_URL},
                414,
            )
        if "\x00" in request.path:
            return api_error("", Code.NUL, _("A text may not contain the NUL character."), 400)
        for key, values in request.GET.lists():
            for value in values:
                found = _scan_parameter(key, value)
                if found:
                    return api_error(*found, 422)
        if request.method in ("POST", "PUT", "PATCH"):
            response = self._body(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _body(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if request.content_type == "multipart/form-data" and any(
            p.match(request.path) for p in UPLOADS
        ):
            if length > settings.ESCALADE_API_MAX_UPLOAD:
                return api_error(
                    "file",
                    Code.TOO_LARGE,
                    _("The file is too large (at most %(n)s bytes).")
                    % {"n": settings.ESCALADE_API_MAX_UPLOAD},
                    413,
                )
            return None  # the operation's schema checks its fields
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return api_error(
                "",
                Code.TOO_LARGE,
                _("The body is too large (at most %(n)s bytes).") % {"n": limit},
                413,
            )
        body = request.body
        if not body.strip():
            _as_empty_json(request)
            return None
        if request.content_type != "application/json":
            if request.content_type in FORMS and not request.POST and not request.FILES:
                _as_empty_json(request)  # an empty form: nothing was sent
                return None
            return api_error(
                "Content-Type",
                Code.MEDIA_TYPE,
                _("Send the body as JSON (Content-Type: application/json)."),
                415,
            )
        if _nesting(body) > MAX_DEPTH:
            return api_error(
                "",
                Code.JSON_INVALID,
                _("The body nests more than %(n)s levels deep.") % {"n": MAX_DEPTH},
                400,
            )
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):
            return api_error("", Code.JSON_INVALID, _("The body is not valid JSON."), 422)
        found = _scan(data, "")
        if found:
            return api_error(*found, 422)
        return None


def not_found(request, exception=None):
    """Django's 404 (a path that matches no route, a non-integer id): JSON under /api/."""
    if request.path.startswith("/api/"):
        return api_error("", Code.NOT_FOUND, _("Not found."), 404)

    return page_not_found(request, exception)


def unavailable(request, exception) -> JsonResponse | None:
    """The database cannot be reached (a restart, a failover): under /api/, a 503 to send
    again (nothing was written; the Idempotency-Key makes the retry safe), else None."""

    if not request.path.startswith("/api/") or not isinstance(
        exception, OperationalError | InterfaceError
    ):
        return None
    response = api_error(
        "",
        Code.UNAVAILABLE,
        _("The database cannot be reached just now: send the same request again."),
        503,
        request_id=getattr(request, "escalade_request_id", ""),
    )
    response["Retry-After"] = "2"
    return response


def server_error(request):
    """Any 500: JSON under /api/ with an id to quote; the traceback only in the log. A
    database that cannot be reached (raised before the view, by the authentication) is
    the 503 to retry, as in RequestId.process_exception."""

    retry = unavailable(request, sys.exc_info()[1])
    if retry is not None:
        return retry
    if request.path.startswith("/api/"):
        ref = getattr(request, "escalade_request_id", "") or uuid.uuid4().hex[:12]
        return api_error(
            "",
            Code.SERVER_ERROR,
            _("Something went wrong on our side. Quote this reference: %(ref)s.") % {"ref": ref},
            500,
            request_id=ref,
        )

    return html_server_error(request)


def bad_request(request, exception=None):
    if request.path.startswith("/api/"):
        return api_error("", Code.BAD_REQUEST, _("The request could not be read."), 400)

    return html_bad_request(request, exception)


class RequestId:
    """Gives every request an id (X-Request-ID, or a new one), logged with any error and
    sent back in the response header, so a 500 can be found in the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")[:64]
        request.escalade_request_id = given if given.isalnum() else uuid.uuid4().hex[:12]
        # on every log line until the response is closed (Django logs a 4xx or 5xx after
        # the middleware: core/logs.py clears it at request_finished)
        logs.request_id.set(request.escalade_request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request.escalade_request_id
        return response

    def process_exception(self, request, exception):
        LOG.error(
            "request %s %s %s failed",
            getattr(request, "escalade_request_id", "?"),
            request.method,
            request.path,
            exc_info=exception,
        )
        return unavailable(request, exception)
