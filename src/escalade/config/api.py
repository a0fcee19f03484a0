"""The JSON API: one NinjaAPI, token or session authentication, JSON errors
{"errors": [{"field", "code", "message"}]} for every failure (codes: core.errors.Code and
each app's errors.py)."""

import copy

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, django_auth

from escalade.accounts.services import user_from_token
from escalade.core.errors import Code, DomainError


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` (tokens from `escalade create_api_token USER`)."""

    def authenticate(self, request, token):
        user = user_from_token(token)
        if user is None:
            # A token was sent and is wrong (unknown, expired, revoked): 401, without
            # falling back to the session (whose CSRF check would answer 403).
            raise AuthenticationError()
        request.user = user
        return user


class EscaladeAPI(NinjaAPI):
    """Operation ids are the view functions' names (`alertmanager_webhook`, not
    `escalade_runbooks_api_alertmanager`): stable when code moves between modules, and
    unique (tests/test_schema_names.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict = {}

    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        """Built once per process and path prefix (about 4 s of pydantic each time: the
        docs page, export_openapi and the tests ask for it often); a deep copy each
        time, so that a caller changing it changes nobody else's. It reads the same in
        every language (names and codes, no translated text)."""
        key = (path_prefix, tuple(sorted((path_params or {}).items())))
        if key not in self._schemas:
            self._schemas[key] = super().get_openapi_schema(
                path_prefix=path_prefix, path_params=path_params
            )
        return copy.deepcopy(self._schemas[key])


api = EscaladeAPI(
    title="Escalade API",
    version="1",
    description="Incident intake and support routing for telehealth and clinical IT.",
    auth=[TokenAuth(), django_auth],
    urls_namespace="api",
)

# pydantic's error types -> (the API's code, the message for people).
_PYDANTIC = {
    "missing": (Code.REQUIRED, lambda e: _("This field is required.")),
    "string_too_short": (Code.REQUIRED, lambda e: _("This field is required.")),
    "string_too_long": (
        Code.TOO_LONG,
        lambda e: _("At most %(n)s characters.") % {"n": e.get("ctx", {}).get("max_length")},
    ),
    "int_parsing": (Code.INVALID, lambda e: _("A whole number is expected.")),
    "int_type": (Code.INVALID, lambda e: _("A whole number is expected.")),
    "int_from_float": (Code.INVALID, lambda e: _("A whole number is expected.")),
    "bool_parsing": (Code.INVALID, lambda e: _("true or false is expected.")),
    "bool_type": (Code.INVALID, lambda e: _("true or false is expected.")),
    "string_type": (Code.INVALID, lambda e: _("A text is expected.")),
    "literal_error": (
        Code.NOT_ONE_OF,
        lambda e: _("Use one of %(valid)s.") % {"valid": e.get("ctx", {}).get("expected")},
    ),
    "enum": (
        Code.NOT_ONE_OF,
        lambda e: _("Use one of %(valid)s.") % {"valid": e.get("ctx", {}).get("expected")},
    ),
    "greater_than_equal": (
        Code.OUT_OF_RANGE,
        lambda e: _("At least %(n)s.") % {"n": e.get("ctx", {}).get("ge")},
    ),
    "less_than_equal": (
        Code.OUT_OF_RANGE,
        lambda e: _("At most %(n)s.") % {"n": e.get("ctx", {}).get("le")},
    ),
    "json_invalid": (Code.JSON_INVALID, lambda e: _("The body is not valid JSON.")),
    "model_attributes_type": (Code.INVALID, lambda e: _("A JSON object is expected.")),
    "dict_type": (Code.INVALID, lambda e: _("A JSON object is expected.")),
    "extra_forbidden": (Code.UNKNOWN_FIELD, lambda e: _("Unknown field.")),
    "iso_text": (
        Code.INVALID,
        lambda e: _("A date (2026-12-03) or a date and time (2026-12-03T14:00:00-05:00)."),
    ),
    "year_range": (
        Code.OUT_OF_RANGE,
        lambda e: (
            _("A year between %(first)s and %(last)s.")
            % e.get("ctx", {"first": 1900, "last": 2200})
        ),
    ),
    "datetime_from_date_parsing": (
        Code.INVALID,
        lambda e: _("A date and time is expected (ISO 8601)."),
    ),
    "datetime_parsing": (Code.INVALID, lambda e: _("A date and time is expected (ISO 8601).")),
    "date_from_datetime_parsing": (Code.INVALID, lambda e: _("A date is expected (2026-12-03).")),
    "date_parsing": (Code.INVALID, lambda e: _("A date is expected (2026-12-03).")),
}


def _field(loc) -> str:
    parts = [str(p) for p in loc]
    if parts and parts[0] in ("body", "query", "path", "header", "form"):
        parts = parts[1:]
    if parts and parts[0] == "payload":
        parts = parts[1:]
    return ".".join(parts)


def errors_response(request, errors: list[dict], status: int):
    return api.create_response(request, {"errors": errors}, status=status)


@api.exception_handler(ValidationError)
def _validation(request, exc: ValidationError):
    errors = []
    for e in exc.errors:
        code, maker = _PYDANTIC.get(e.get("type"), (Code.INVALID, None))
        errors.append(
            {
                "field": _field(e.get("loc", ())),
                "code": str(code),
                "message": maker(e) if maker else e.get("msg", ""),
            }
        )
    return errors_response(request, errors, 422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return errors_response(
        request,
        [
            {
                "field": "Authorization",
                "code": str(Code.UNAUTHENTICATED),
                "message": _("Sign in or send 'Authorization: Bearer <token>'."),
            }
        ],
        401,
    )


@api.exception_handler(DomainError)
def _domain(request, exc: DomainError):
    return errors_response(request, exc.as_errors(), exc.status)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return errors_response(
        request, [{"field": "", "code": str(Code.NOT_FOUND), "message": _("Not found.")}], 404
    )


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {401: Code.UNAUTHENTICATED, 403: Code.FORBIDDEN, 404: Code.NOT_FOUND}.get(
        exc.status_code, Code.BAD_REQUEST
    )
    return errors_response(
        request, [{"field": "", "code": str(code), "message": str(exc)}], exc.status_code
    )


api.add_router("/incidents", "escalade.incidents.api.router")
api.add_router("/guides", "escalade.incidents.api.guides_router")
api.add_router("/", "escalade.accounts.api.router")
api.add_router("/", "escalade.catalog.api.router")
api.add_router("/", "escalade.routing.api.router")
api.add_router("/", "escalade.telesessions.api.router")
api.add_router("/", "escalade.reports.api.router")
api.add_router("/", "escalade.reports.stats_api.router")
api.add_router("/", "escalade.problems.api.router")
api.add_router("/", "escalade.actions.api.router")
api.add_router("/", "escalade.notices.api.router")
api.add_router("/", "escalade.oncall.api.router")
api.add_router("/", "escalade.renewals.api.router")
api.add_router("/", "escalade.runbooks.api.router")
api.add_router("/", "escalade.mailin.api.router")
api.add_router("/", "escalade.datasources.api.router")
