from django.urls import path

from . import views

app_name = "datasources"

urlpatterns = [
    path("datasources/", views.datasource_list, name="list"),
    path("datasources/provincial-codes/", views.provincial_codes, name="codes"),
    path("datasources/<slug:code>/", views.datasource_detail, name="detail"),
    path("datasources/<slug:code>/worksheet.xlsx", views.worksheet, name="worksheet"),
    path(
        "datasources/<slug:code>/proposals/<int:proposal_id>/",
        views.proposal_detail,
        name="proposal",
    ),
    path("conformance-reports/", views.report_list, name="reports"),
    path("conformance-reports/<int:report_id>/", views.report_detail, name="report"),
    path("conformance-reports/<int:report_id>/file/", views.report_file, name="report_file"),
]
