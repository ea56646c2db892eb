"""The expert review's pages (app namespace "reviews").

Names: expert_* for the reviewer dashboard, office_* for the provincial office, public_* for the
公示 pages anyone may read (tests/pojian/test_anonymous_access.py treats public_* as public).
"""

from django.urls import path

from .views import expert, office, public, sheets

app_name = "reviews"

urlpatterns = [
    # The expert's side.
    path("expert/", expert.ExpertDashboardView.as_view(), name="expert_dashboard"),
    path("expert/assignments/<int:pk>/", expert.AssignmentView.as_view(), name="expert_assignment"),
    path("expert/assignments/<int:pk>/conflict/", expert.DeclareConflictView.as_view(), name="expert_declare_conflict"),
    path("expert/assignments/<int:pk>/letter/", expert.AssignmentLetterView.as_view(), name="expert_letter"),
    path("expert/assignments/<int:pk>/form/", expert.AssignmentFormPdfView.as_view(), name="expert_nomination_form"),
    path("expert/finished/", expert.FinishedReviewListView.as_view(), name="expert_finished"),
    path("expert/finished/<int:pk>/", expert.FinishedReviewView.as_view(), name="expert_finished_review"),
    # The office.
    path("office/", office.RoundListView.as_view(), name="office_rounds"),
    path("office/rounds/<int:pk>/", office.RoundDetailView.as_view(), name="office_round"),
    path("office/rounds/<int:pk>/assignment/", office.AssignmentOverviewView.as_view(), name="office_assignment"),
    path("office/rounds/<int:pk>/assignment/propose/", office.ProposeAssignmentView.as_view(), name="office_propose"),
    path("office/rounds/<int:pk>/assignment/confirm/", office.ConfirmAssignmentView.as_view(),
         name="office_confirm_assignment"),
    path("office/rounds/<int:pk>/progress/", office.ProgressView.as_view(), name="office_progress"),
    path("office/rounds/<int:pk>/results/", office.ResultsView.as_view(), name="office_results"),
    path("office/rounds/<int:pk>/export/<str:what>/", office.ExportView.as_view(), name="office_export"),
    path("office/rounds/<int:pk>/notice/", office.NoticeView.as_view(), name="office_notice"),
    path("office/sheets/", sheets.SheetListView.as_view(), name="office_sheets"),
    path("office/rounds/<int:pk>/sheet/", sheets.SheetView.as_view(), name="office_sheet"),
    path("office/items/<int:pk>/", office.ItemView.as_view(), name="office_item"),
    path("office/assignments/<int:pk>/", office.AssignmentActionView.as_view(), name="office_assignment_action"),
    path("office/conflicts/", office.ConflictListView.as_view(), name="office_conflicts"),
    path("office/conflicts/<int:pk>/decide/", office.ConflictDecideView.as_view(), name="office_conflict_decide"),
    path("office/objections/<int:pk>/evidence/", office.ObjectionEvidenceView.as_view(), name="office_objection_evidence"),
    path("office/objections/<int:pk>/decide/", office.ObjectionDecideView.as_view(), name="office_objection_decide"),
    # Public.
    path("public/", public.PublicNoticeListView.as_view(), name="public_notices"),
    path("public/<int:pk>/", public.PublicNoticeView.as_view(), name="public_notice"),
    path("public/<int:pk>/pdf/", public.PublicNoticePdfView.as_view(), name="public_notice_pdf"),
    path("public/confirmed/<int:year>/<slug:kind>/", public.PublicConfirmedListView.as_view(), name="public_confirmed"),
]
