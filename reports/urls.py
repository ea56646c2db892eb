from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("dashboard/<slug:key>.xlsx", views.DashboardXlsxView.as_view(), name="dashboard_xlsx"),
    path("dashboard/release/", views.ReleaseProgressView.as_view(), name="release_progress"),
    path("annual/", views.ReportListView.as_view(), name="reports"),
    path("annual/request/", views.ReportRequestView.as_view(), name="request"),
    path("annual/<int:pk>/rerun/", views.ReportRerunView.as_view(), name="rerun"),
    path("annual/<int:pk>/pdf/", views.ReportDownloadView.as_view(kind="pdf"), name="download_pdf"),
    path("annual/<int:pk>/xlsx/", views.ReportDownloadView.as_view(kind="xlsx"), name="download_xlsx"),
    path("schedules/new/", views.ScheduleFormView.as_view(), name="schedule_create"),
    path("schedules/<int:pk>/", views.ScheduleFormView.as_view(), name="schedule_edit"),
    path("schedules/<int:pk>/delete/", views.ScheduleDeleteView.as_view(), name="schedule_delete"),
    path("progress/", views.PublicProgressView.as_view(), name="public_progress"),
]
