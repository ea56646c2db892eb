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
