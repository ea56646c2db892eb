"""The city bureau's enterprise pages, and the nomination URLs both sides share (app namespace "enterprises")."""

from django.urls import path

from pojian.nomination_views import NominationTransitionView, ProtectedFileView

from .domain import workflow
from .models import EnterpriseNomination
from .views import bureau, county

urlpatterns = [
    path("bureau/nominations/", bureau.NominationListView.as_view(), name="bureau_nominations"),
    path("bureau/nominations/new/", bureau.NominationCreateView.as_view(), name="bureau_nomination_create"),
    path("bureau/nominations/<int:pk>/", bureau.NominationDetailView.as_view(), name="bureau_nomination"),
    path("bureau/nominations/<int:pk>/edit/", bureau.NominationUpdateView.as_view(), name="bureau_nomination_edit"),
    path("bureau/nominations/<int:pk>/forward/", county.ForwardToCityView.as_view(), name="county_forward"),
    path("bureau/nominations/<int:pk>/return-to-county/", county.ReturnToCountyView.as_view(), name="county_return"),
    path("bureau/import/", bureau.ImportView.as_view(), name="bureau_import"),
    path("bureau/import/template.xlsx", bureau.ImportTemplateView.as_view(), name="bureau_import_template"),
    # Shared by the bureau's and the office's pages.
    path(
        "nominations/<int:pk>/transition/",
        NominationTransitionView.as_view(
            model=EnterpriseNomination, permission_required="enterprises.view_nomination",
            transition_function=workflow.transition,
        ),
        name="nomination_transition",
    ),
    path(
        "nominations/<int:pk>/letter/",
        ProtectedFileView.as_view(model=EnterpriseNomination, permission_required="enterprises.view_nomination"),
        name="nomination_letter",
    ),
    path("nominations/<int:pk>/form.pdf", bureau.NominationPdfView.as_view(), name="nomination_pdf"),
]
