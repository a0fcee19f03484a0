from django.urls import path

from . import views

app_name = "problems"

urlpatterns = [
    path("problems/", views.problem_list, name="list"),
    path("problems/<int:problem_id>/", views.problem_detail, name="detail"),
    path("problems/<int:problem_id>/link/<str:number>/", views.link_incident, name="link"),
]
