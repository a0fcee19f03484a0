from django.urls import path

from . import feeds, views

app_name = "oncall"

urlpatterns = [
    path("oncall/", views.on_call, name="list"),
    path("oncall/incidents/<str:number>/pages/", views.incident_pages, name="pages"),
    path("pages/<int:page_id>/ack/", views.acknowledge, name="ack"),
    path("pages/<int:page_id>/ack/<str:token>/", views.acknowledge_by_link, name="ack_link"),
    path("sms/kannel/", views.kannel_reply, name="kannel"),
    path("feeds/<str:key>/shifts.ics", feeds.shifts_ics, name="shifts_ics"),
]
