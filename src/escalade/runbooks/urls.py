from django.urls import path

from . import views

app_name = "runbooks"

urlpatterns = [
    path("runbooks/", views.runbook_list, name="list"),
    path("runbooks/<slug:code>/", views.runbook_detail, name="detail"),
    path("runbooks/<slug:code>.pdf", views.runbook_pdf, name="pdf"),
    path("runbooks/<slug:code>/drill/", views.announce_drill, name="drill"),
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
    path(
        "outages/<int:outage_id>/units/<slug:code>/confirm/",
        views.confirm_unit,
        name="confirm_unit",
    ),
    path("display/", views.display, name="display"),
    path("display/confirm/", views.kiosk_confirm, name="kiosk_confirm"),
    path("units/confirm/<str:token>/", views.unit_link, name="unit_link"),
    path("feeds/broadcasts.atom", views.broadcasts_atom, name="atom"),
]
