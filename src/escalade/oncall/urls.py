from django.urls import path

from . import views

app_name = "oncall"

urlpatterns = [path("oncall/", views.on_call, name="list")]
