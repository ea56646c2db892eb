from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.HomeView.as_view(), name="home"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("years/", views.CycleListView.as_view(), name="cycle_list"),
    path("years/new/", views.CycleFormView.as_view(), name="cycle_create"),
    path("years/<int:pk>/", views.CycleFormView.as_view(), name="cycle_edit"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
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
