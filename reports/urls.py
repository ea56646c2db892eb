from django.urls import path

from . import views
from . import views_returns as rv

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
    path("returns/", rv.ReturnListView.as_view(), name="returns"),
    path("returns/new/", rv.ReturnDefineView.as_view(), name="return_define"),
    path("returns/<int:pk>/", rv.ReturnDetailView.as_view(), name="return_detail"),
    path("returns/<int:pk>/open/", rv.ReturnActionView.as_view(action="open"), name="return_open"),
    path("returns/<int:pk>/close/", rv.ReturnActionView.as_view(action="close"), name="return_close"),
    path("returns/<int:pk>/bulletin/", rv.ReturnActionView.as_view(action="bulletin"), name="return_bulletin"),
    path("returns/<int:pk>/export/", rv.ReturnExportView.as_view(), name="return_export"),
    path("returns/<int:pk>/file/", rv.ReturnFileView.as_view(), name="return_file"),
    path("bulletins/<int:pk>/edit/", rv.BulletinEditView.as_view(), name="bulletin_edit"),
    path("bulletins/", rv.PublicBulletinsView.as_view(), name="public_bulletins"),
    path("bulletins/<int:pk>/pdf/", rv.PublicBulletinPdfView.as_view(), name="public_bulletin_pdf"),
    path("my-region/", views.BureauDashboardView.as_view(), name="bureau_dashboard"),
    path("my-region/xlsx/", views.BureauDashboardXlsxView.as_view(), name="bureau_dashboard_xlsx"),
    path("counties/", rv.CountyListView.as_view(), name="counties"),
    path("counties/<slug:code>/", rv.CountyDashboardView.as_view(), name="county"),
]
