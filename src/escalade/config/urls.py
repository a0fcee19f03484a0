from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from escalade.accounts.views import ThrottledAdminLoginView, ThrottledLoginView, sign_out
from escalade.core.views import favicon, healthz

from .api import api

urlpatterns = [
    # first: an API call (most of the requests: intake, workstations' polls) is resolved
    # without trying every page's pattern before it
    path("api/", api.urls),
    path("", include("escalade.reports.urls")),
    path("", include("escalade.incidents.urls")),
    path("", include("escalade.routing.urls")),
    path("", include("escalade.catalog.urls")),
    path("", include("escalade.telesessions.urls")),
    path("", include("escalade.notifications.urls")),
    path("", include("escalade.problems.urls")),
    path("", include("escalade.actions.urls")),
    path("", include("escalade.notices.urls")),
    path("", include("escalade.renewals.urls")),
    path("", include("escalade.oncall.urls")),
    path("", include("escalade.runbooks.urls")),
    path("", include("escalade.mailin.urls")),
    path("", include("escalade.datasources.urls")),
    path("", include("escalade.accounts.urls")),
    path("healthz", healthz, name="healthz"),
    # browsers and bookmark tools ask /favicon.ico whatever the page says
    path("favicon.ico", favicon, name="favicon"),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", sign_out, name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/login/", ThrottledAdminLoginView.as_view(), name="admin-login"),
    path("admin/", admin.site.urls),
]

handler400 = "escalade.core.api_guard.bad_request"
handler404 = "escalade.core.api_guard.not_found"
handler500 = "escalade.core.api_guard.server_error"
