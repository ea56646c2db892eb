from django.urls import path

from . import acceptance_views, rd_views, views, views_sources

app_name = "funding"
urlpatterns = [
    path("ledger/", views.LedgerView.as_view(), name="ledger"),
    path("grants/<int:pk>/", views.GrantDetailView.as_view(), name="grant"),
    path("grants/<int:pk>/<slug:action>/", views.GrantActionView.as_view(), name="grant_action"),
    path("projects/", views.ProjectListView.as_view(), name="projects"),
    path("projects/open/", views.OpenProjectsView.as_view(), name="projects_open"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project"),
    path("projects/<int:pk>/file/<slug:field>/", views.ProjectFileView.as_view(), name="project_file"),
    path("projects/<int:pk>/sources/", views_sources.ProjectSourcesView.as_view(), name="project_sources"),
    path("projects/<int:pk>/<slug:action>/", views.ProjectActionView.as_view(), name="project_action"),
    path("acceptance/", acceptance_views.AcceptanceRoundsView.as_view(), name="acceptance_rounds"),
    path("acceptance/<int:pk>/", acceptance_views.AcceptanceRoundView.as_view(), name="acceptance_round"),
    path("region/", views.RegionView.as_view(), name="region"),
    # 研发投入后补助
    path("rd/", rd_views.RdCandidateListView.as_view(), name="rd_candidates"),
    path("rd/rule/", rd_views.RdRuleView.as_view(), name="rd_rule"),
    path("rd/candidates/<int:pk>/", rd_views.RdCandidateView.as_view(), name="rd_candidate"),
    path("public/rd/<int:year>/", rd_views.RdNoticeView.as_view(), name="public_rd_notice"),
    path("public/rd/<int:year>/print/", rd_views.RdNoticePdfView.as_view(), name="public_rd_notice_pdf"),
    # Public: the approved lists, once confirmed.
    path("public/", views.PublicGrantListView.as_view(), name="public_grants"),
    path("public/<int:year>/", views.PublicGrantListView.as_view(), name="public_grants_year"),
]
