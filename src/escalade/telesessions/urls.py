from django.urls import path

from . import views

app_name = "telesessions"

urlpatterns = [
    path("telesessions/", views.session_list, name="list"),
    path("telesessions/follow-up/", views.follow_up, name="follow_up"),
    path("telesessions/<int:session_id>/", views.detail, name="detail"),
    path("telesessions/<int:session_id>/panel/", views.protocol_panel, name="panel"),
    path("telesessions/<int:session_id>/sheet/", views.technical_sheet, name="sheet"),
    path("telesessions/<int:session_id>/<slug:action>/", views.act, name="act"),
]
