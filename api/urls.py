"""/api/v1/: versioned; the schema and its docs are served by the portal itself (no CDN)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("enterprises/nominations", views.EnterpriseNominationViewSet, basename="enterprise-nomination")
router.register("enterprises/pool", views.PoolEntryViewSet, basename="pool-entry")
router.register("enterprises", views.EnterpriseViewSet, basename="enterprise")
router.register("incubators/nominations", views.IncubatorNominationViewSet, basename="incubator-nomination")
router.register("finance/institutions", views.FinanceInstitutionViewSet, basename="finance-institution")
router.register("finance/investments", views.InvestmentViewSet, basename="investment")
router.register("reviews/results", views.ResultViewSet, basename="result")
router.register("funding/grants", views.GrantViewSet, basename="grant")
router.register("funding/payments", views.PaymentViewSet, basename="payment")
router.register("techtransfer/demands", views.DemandViewSet, basename="demand")
router.register("techtransfer/contracts", views.TechContractViewSet, basename="tech-contract")
router.register("tokens", views.TokenViewSet, basename="token")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("v1/jobs/<int:pk>/", views.JobView.as_view(), name="job"),
    path("v1/tax/pushes/", views.TaxPushView.as_view(), name="tax_push"),
    path("v1/registrations/pushes/", views.RegistrationPushView.as_view(), name="registration_push"),
    path("v1/public/notices/", views.PublicNoticeListView.as_view(), name="public_notices"),
    path("v1/public/progress/<int:year>/", views.PublicProgressView.as_view(), name="public_progress"),
    path("v1/public/results/", views.PublicResultListView.as_view(), name="public_results"),
    path("v1/schema/", SpectacularAPIView.as_view(), name="public_schema"),
    # Swagger UI's own script comes from the split view (?script), not inline (README, Security).
    path("v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api:public_schema"), name="public_docs"),
    # Redoc styles itself by inserting <style> elements and searches in a blob: worker: on this page
    # only, inline styles and blob: workers are allowed; scripts stay 'self'.
    path("v1/redoc/", csp_update({"style-src": [SELF, UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
        SpectacularRedocView.as_view(url_name="api:public_schema")), name="public_redoc"),
]
