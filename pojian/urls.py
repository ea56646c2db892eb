from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from . import account_views, audit, calendar_views, views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.HomeView.as_view(), name="home"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("calendar/", calendar_views.CalendarView.as_view(), name="calendar"),
    path("years/", views.CycleListView.as_view(), name="cycle_list"),
    path("years/new/", views.CycleFormView.as_view(), name="cycle_create"),
    path("years/<int:pk>/", views.CycleFormView.as_view(), name="cycle_edit"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
    path("audit/downloads/", audit.DownloadAuditView.as_view(), name="download_audit"),
    path("audit/downloads/export/", audit.DownloadAuditExportView.as_view(), name="download_audit_export"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/verify/", account_views.OTPVerifyView.as_view(), name="otp_verify"),
    path("accounts/two-factor/", account_views.TwoFactorView.as_view(), name="otp_setup"),
    path("accounts/", account_views.AccountView.as_view(), name="account"),
    path("accounts/session/ping/", account_views.SessionPingView.as_view(), name="session_ping"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password/reset/", account_views.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("accounts/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("accounts/notifications/", views.NotificationSettingsView.as_view(), name="notification_settings"),
    # Browsers ask for /favicon.ico whatever the page says: send them to the portal's icon.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg")), name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

# Each app's pages, under its own prefix; an app without urls.py yet is skipped.
for prefix, app in [
    ("enterprises/", "enterprises"),
    ("incubators/", "incubators"),
    ("finance/", "finance"),
    ("reviews/", "reviews"),
    ("assessment/", "assessment"),
    ("funding/", "funding"),
    ("reports/", "reports"),
    ("api/", "api"),
    ("techtransfer/", "techtransfer"),
]:
    try:
        __import__(f"{app}.urls")
    except ModuleNotFoundError as e:
        if e.name != f"{app}.urls":
            raise
        continue
    urlpatterns.append(path(prefix, include(f"{app}.urls")))

handler500 = "pojian.views.server_error"
