"""Security headers that Django does not set itself."""

from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


@lru_cache(maxsize=8)
def _policy(origins: tuple[str, ...]) -> str:
    if not origins:
        return CSP
    return CSP.replace("form-action 'self'", "form-action 'self' " + " ".join(origins))


def policy() -> str:
    """The policy, with the OpenID providers' origins as form targets: the sign-out
    form's answer sends the browser on to the provider's end-session page, which a
    browser refuses unless form-action names it."""
    origins = []
    for provider in getattr(settings, "ESCALADE_OIDC_PROVIDERS", None) or []:
        parts = urlsplit(provider.get("discovery", ""))
        if parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return _policy(tuple(sorted(set(origins))))


class SecurityHeadersMiddleware:
    """A Content-Security-Policy without inline scripts, on every page, the API's docs
    (Swagger UI, served from our own static files) included; Django's admin aside."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/") and not settings.DEBUG:
            response.setdefault("Content-Security-Policy", policy())
        return response
