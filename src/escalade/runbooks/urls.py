from django.urls import path

from . import views

app_name = "runbooks"

urlpatterns = [
    path("runbooks/", views.runbook_list, name="list"),
    path("runbooks/<slug:code>/", views.runbook_detail, name="detail"),
    path("runbooks/<slug:code>.pdf", views.runbook_pdf, name="pdf"),
    path("outages/<int:outage_id>/", views.outage_detail, name="outage"),
    path("outages/<int:outage_id>/steps/<int:n>/", views.step, name="step"),
    path("outages/<int:outage_id>/entries/", views.entry, name="entry"),
    path("outages/<int:outage_id>/vendor-refs/", views.vendor_ref, name="vendor_ref"),
    path("outages/<int:outage_id>/access-codes/", views.access_code, name="access_code"),
    path("outages/<int:outage_id>/restore/", views.restore, name="restore"),
    path(
        "outages/<int:outage_id>/entries/<int:entry_id>/reconcile/",
        views.reconcile,
        name="reconcile",
    ),
    path("outages/<int:outage_id>/close/", views.close, name="close"),
    path("outages/<int:outage_id>/call/<slug:code>/", views.call, name="call"),
    path("display/", views.display, name="display"),
    path("feeds/broadcasts.atom", views.broadcasts_atom, name="atom"),
]
