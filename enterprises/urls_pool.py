"""The cultivation pool's pages (培育库), shared by the office and the bureaus (app namespace "enterprises")."""

from django.urls import path

from .views import pool

urlpatterns = [
    path("pool/", pool.PoolListView.as_view(), name="pool"),
    path("pool/export/", pool.PoolExportView.as_view(), name="pool_export"),
    path("pool/<int:pk>/", pool.PoolEntryView.as_view(), name="pool_entry"),
    path("pool/cohorts/", pool.CohortIndexView.as_view(), name="pool_cohorts"),
    path("pool/cohorts/<int:year>/", pool.CohortView.as_view(), name="pool_cohort"),
    path("pool/tiers/", pool.TierRulesView.as_view(), name="pool_tiers"),
    path("pool/tiers/<int:year>/", pool.TierRulesView.as_view(), name="pool_tiers_year"),
]
