"""Security headers that Django does not set itself."""

from django.conf import settings

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


class SecurityHeadersMiddleware:
    """A Content-Security-Policy without inline scripts, on every page, the API's docs
    (Swagger UI, served from our own static files) included; Django's admin aside."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/") and not settings.DEBUG:
            response.setdefault("Content-Security-Policy", CSP)
        return response
