"""/api/v1/: versioned; the schema and its docs are served by the portal itself (no CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("enterprises/nominations", views.EnterpriseNominationViewSet, basename="enterprise-nomination")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("incubators/nominations", views.IncubatorNominationViewSet, basename="incubator-nomination")
router.register("finance/institutions", views.FinanceInstitutionViewSet, basename="finance-institution")
router.register("finance/investments", views.InvestmentViewSet, basename="investment")
router.register("reviews/results", views.ResultViewSet, basename="result")
router.register("tokens", views.TokenViewSet, basename="token")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("v1/tax/pushes/", views.TaxPushView.as_view(), name="tax_push"),
    path("v1/public/notices/", views.PublicNoticeListView.as_view(), name="public_notices"),
    path("v1/public/progress/<int:year>/", views.PublicProgressView.as_view(), name="public_progress"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="public_schema"),
    path("v1/docs/", SpectacularSwaggerView.as_view(url_name="api:public_schema"), name="public_docs"),
    path("v1/redoc/", SpectacularRedocView.as_view(url_name="api:public_schema"), name="public_redoc"),
]
