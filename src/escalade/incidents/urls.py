from django.urls import path

from . import views

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/", views.queue, name="queue"),
    path("search/", views.search, name="search"),
    path("wallboard/", views.wallboard, name="wallboard"),
    path("incidents/new/", views.intake, name="intake"),
    path("incidents/new/caller/", views.caller, name="caller"),
    path("incidents/new/known/", views.known, name="known"),
    path("incidents/new/guide/", views.guide_panel, name="guide_panel"),
    path("guides/", views.guides, name="guides"),
    path("guides/<slug:symptom>/", views.guide_detail, name="guide"),
    path("institution/", views.pick_institution, name="pick_institution"),
    path("incidents/<str:number>/", views.detail, name="detail"),
    path("incidents/<str:number>/<slug:action>/", views.act, name="act"),
]
