from django.urls import path

from pojian.nomination_views import NominationTransitionView, ProtectedFileView

from .models import FinanceNomination
from .views import institutions, investments, nominations, partners, roadshows

app_name = "finance"
urlpatterns = [
    path("", partners.OfficeIndexView.as_view(), name="index"),
    # Nominations (bureau and office)
    path("nominations/", nominations.NominationListView.as_view(), name="nomination_list"),
    path("nominations/new/", nominations.NominationCreateView.as_view(), name="nomination_create"),
    path("nominations/export/", nominations.NominationExportView.as_view(), name="nomination_export"),
    path("nominations/bulk/", nominations.NominationBulkView.as_view(), name="nomination_bulk"),
    path("nominations/<int:pk>/", nominations.NominationDetailView.as_view(), name="nomination_detail"),
    path("nominations/<int:pk>/edit/", nominations.NominationEditView.as_view(), name="nomination_edit"),
    path("nominations/<int:pk>/transition/",
         NominationTransitionView.as_view(model=FinanceNomination, permission_required="finance.view_nomination"),
         name="nomination_transition"),
    path("nominations/<int:pk>/letter/",
         ProtectedFileView.as_view(model=FinanceNomination, permission_required="finance.view_nomination"),
         name="nomination_letter"),
    # Institutions
    path("institutions/", institutions.InstitutionListView.as_view(), name="institution_list"),
    path("institutions/new/", institutions.InstitutionCreateView.as_view(), name="institution_create"),
    path("institutions/<int:pk>/edit/", institutions.InstitutionEditView.as_view(), name="institution_edit"),
    # Investments
    path("investments/", investments.InvestmentListView.as_view(), name="investment_list"),
    path("investments/new/", investments.InvestmentCreateView.as_view(), name="investment_create"),
    path("investments/<int:pk>/edit/", investments.InvestmentEditView.as_view(), name="investment_edit"),
    path("investments/import/", investments.InvestmentImportView.as_view(), name="investment_import"),
    path("investments/import/template/", investments.InvestmentTemplateView.as_view(), name="investment_template"),
    # Cooperation list, settings, digests
    path("partners/", partners.PartnershipListView.as_view(), name="partnership_list"),
    path("partners/<int:pk>/remove/", partners.PartnershipRemoveView.as_view(), name="partnership_remove"),
    path("partners/from-round/", partners.PartnershipFromRoundView.as_view(), name="partnership_from_round"),
    path("settings/", partners.FinanceSettingsView.as_view(), name="settings"),
    path("digests/settings/", partners.DigestSettingsView.as_view(), name="digest_settings"),
    path("digests/prepare/", partners.DigestPrepareView.as_view(), name="digest_prepare"),
    path("digests/", partners.DigestListView.as_view(), name="digest_list"),
    path("digests/<int:pk>/", partners.DigestDetailView.as_view(), name="digest_detail"),
    path("digests/<int:pk>/download/", partners.DigestDownloadView.as_view(), name="digest_download"),
    # Roadshows
    path("roadshows/", roadshows.RoadshowListView.as_view(), name="roadshow_list"),
    path("roadshows/<int:pk>/", roadshows.RoadshowDetailView.as_view(), name="roadshow_detail"),
    path("roadshows/<int:pk>/score/<int:presentation>/", roadshows.ScoreView.as_view(), name="roadshow_score"),
    path("roadshows/<int:pk>/plan/<int:presentation>/", roadshows.BusinessPlanView.as_view(), name="roadshow_plan"),
]
