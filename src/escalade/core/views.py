"""The kernel's own endpoints."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from .health import check


@never_cache
def healthz(request):
    """200 when everything answers, 503 otherwise, with each check's figures. `?only=database`
    checks the database alone (for a load balancer choosing web nodes)."""
    report = check()
    if request.GET.get("only") == "database":
        ok = report["database"]["ok"]
        return JsonResponse({"ok": ok, "database": report["database"]}, status=200 if ok else 503)
    return JsonResponse(report, status=200 if report["ok"] else 503)


def favicon(request):
    """/favicon.ico, which browsers ask whatever the page says: the application's icon."""
    return HttpResponsePermanentRedirect(static("escalade/favicon.svg"))
