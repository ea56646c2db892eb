from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("home/", views.HomeView.as_view(), name="home"),
    path("health/", views.HealthView.as_view(), name="health"),
    path("jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("jobs/<int:pk>/download/", views.JobDownloadView.as_view(), name="job_download"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
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
