from django.urls import path

from . import views

app_name = "techtransfer"

urlpatterns = [
    path("catalogue/", views.PublicCatalogueView.as_view(), name="public_catalogue"),
    path("catalogue/<int:pk>/", views.PublicResultView.as_view(), name="public_result"),
    path("results/", views.OwnResultsView.as_view(), name="own_results"),
    path("results/new/", views.ResultCreateView.as_view(), name="result_create"),
    path("results/<int:pk>/edit/", views.ResultEditView.as_view(), name="result_edit"),
    path("results/<int:pk>/submit/", views.ResultSubmitView.as_view(), name="result_submit"),
    path("office/results/", views.ModerationView.as_view(), name="moderation"),
    path("office/results/<int:pk>/<str:action>/", views.ModerateView.as_view(), name="moderate"),
    path("demands/", views.DemandListView.as_view(), name="demands"),
    path("demands/new/", views.DemandCreateView.as_view(), name="demand_create"),
    path("demands/<int:pk>/", views.DemandView.as_view(), name="demand"),
    path("contracts/", views.ContractListView.as_view(), name="contracts"),
    path("contracts/new/", views.ContractCreateView.as_view(), name="contract_create"),
    path("contracts/import/", views.ContractImportView.as_view(), name="contract_import"),
    path("contracts/<int:pk>/", views.ContractView.as_view(), name="contract"),
    path("contracts/<int:pk>/edit/", views.ContractEditView.as_view(), name="contract_edit"),
]

# Matching: accounts, 推介, 意向, 对接记录, 对接会, statistics (views_matching.py).
from . import views_matching as m  # noqa: E402

urlpatterns += [
    path("account-request/", m.PublicAccountRequestView.as_view(), name="public_account_request"),
    path("office/accounts/", m.AccountRequestListView.as_view(), name="account_requests"),
    path("office/accounts/<int:pk>/<str:action>/", m.AccountDecideView.as_view(), name="account_decide"),
    path("catalogue/<int:pk>/recommend/", m.RecommendView.as_view(), name="recommend"),
    path("recommendations/", m.RecommendationListView.as_view(), name="recommendations"),
    path("matching/", m.MatchingView.as_view(), name="matching"),
    path("matching/interest/new/", m.InterestCreateView.as_view(), name="interest_create"),
    path("matching/records/new/", m.RecordCreateView.as_view(), name="record_create"),
    path("matching/records/<int:pk>/", m.RecordEditView.as_view(), name="record_edit"),
    path("events/", m.EventListView.as_view(), name="events"),
    path("events/new/", m.EventCreateView.as_view(), name="event_create"),
    path("events/<int:pk>/", m.EventDetailView.as_view(), name="event"),
    path("events/<int:pk>/edit/", m.EventEditView.as_view(), name="event_edit"),
    path("statistics/", m.StatisticsView.as_view(), name="statistics"),
    path("statistics/export/", m.StatisticsExportView.as_view(), name="statistics_export"),
]

# The contract subsidy (技术合同后补助): rule, applications, receipts, computed lines, 公示 (views_subsidy.py).
from . import views_subsidy as s  # noqa: E402

urlpatterns += [
    path("subsidy/", s.ApplicationListView.as_view(), name="subsidy_applications"),
    path("subsidy/rule/", s.SubsidyRuleView.as_view(), name="subsidy_rule"),
    path("subsidy/<int:year>/apply/<int:pk>/", s.ApplyView.as_view(), name="subsidy_apply"),
    path("subsidy/<int:year>/computed/", s.ComputedView.as_view(), name="subsidy_computed"),
    path("subsidy/applications/<int:pk>/", s.ApplicationView.as_view(), name="subsidy_application"),
    path("subsidy/receipts/<int:pk>/", s.ReceiptView.as_view(), name="subsidy_receipt"),
    path("public/subsidy/<int:year>/", s.PublicNoticeView.as_view(), name="public_subsidy_notice"),
]

# Cancelling contracts; the 推介 of an institution's results (views_contracts.py).
from . import views_contracts as vc  # noqa: E402

urlpatterns += [
    path("contracts/<int:pk>/cancel/", vc.ContractCancelView.as_view(), name="contract_cancel"),
    path("results/recommendations/", vc.OwnRecommendationsView.as_view(), name="own_recommendations"),
]
