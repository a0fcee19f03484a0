from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("statistics/", views.statistics, name="statistics"),
    path("statistics/resend/", views.resend_period_report, name="resend"),
    path("follow-up/", views.follow_up_page, name="follow_up"),
    path("patients/access-report/", views.access_report, name="access_report"),
    path("incidents/<str:number>/report/", views.major_report, name="major"),
    path(
        "incidents/<str:number>/report/actions/",
        views.major_report_action,
        name="major_action",
    ),
    path("incidents/<str:number>/report.pdf", views.major_report_download, name="major_pdf"),
    path("incidents/<str:number>/declaration/", views.declaration, name="declaration"),
]
