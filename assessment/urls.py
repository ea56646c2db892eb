"""The assessment's pages under /assessment/: portal pages in the "assessment" namespace, and the
public result without one (names starting with "public_": anyone may see them, and they show
nothing before the office publishes)."""

from django.urls import include, path

from pojian import converters  # noqa: F401 - registers <region:…> and <year:…>

from . import views, views_counties

portal = [
    path("", views.AssessmentIndexView.as_view(), name="index"),
    path("summary/", views.MySummaryView.as_view(), name="my_summary"),
    path("summaries/", views.SummaryListView.as_view(), name="summary_list"),
    path("summaries/<int:pk>/", views.SummaryDetailView.as_view(), name="summary"),
    path("summaries/<int:pk>/edit/", views.SummaryEditView.as_view(), name="summary_edit"),
    path("summaries/<int:pk>/action/", views.SummaryActionView.as_view(), name="summary_action"),
    path("summaries/<int:pk>/report/", views.SummaryReportView.as_view(), name="summary_report"),
    path("policies/<int:pk>/file/", views.PolicyFileView.as_view(), name="policy_file"),
    path("mine/", views.MyAssessmentView.as_view(), name="mine"),
    path("<year:year>/", views.AssessmentTableView.as_view(), name="table"),
    path("<year:year>/compute/", views.ComputeView.as_view(), name="compute"),
    path("<year:year>/export/<str:kind>/", views.ExportView.as_view(), name="export"),
    path("<year:year>/publish/", views.PublishView.as_view(), name="publish"),
    path("<year:year>/unpublish/", views.PublishView.as_view(), {"undo": True}, name="unpublish"),
    path("<year:year>/values/<int:pk>/", views.OfficeValuesView.as_view(), name="office_values"),
    path("<year:year>/regions/<region:code>/", views.RegionView.as_view(), name="region"),
    path("county/", views_counties.MyCountyView.as_view(), name="my_county"),
    path("<year:year>/counties/", views_counties.CountyRankingView.as_view(), name="counties"),
    path("<year:year>/counties/settings/", views_counties.CountySettingsView.as_view(), name="counties_settings"),
    path("<year:year>/counties/<region:code>/", views_counties.CountyStandingView.as_view(), name="county"),
    path("<year:year>/regions/<region:code>/commend/", views.CommendView.as_view(), name="commend"),
    path("<year:year>/regions/<region:code>/pdf/", views.RegionPdfView.as_view(), name="region_pdf"),
    path("<year:year>/regions/<region:code>/indicators/<int:pk>/", views.IndicatorItemsView.as_view(), name="items"),
]

urlpatterns = [
    path("", include((portal, "assessment"))),
    path("public/", views.PublicIndexView.as_view(), name="public_assessment_index"),
    path("public/<year:year>/", views.PublicResultView.as_view(), name="public_assessment"),
]
