"""The provincial office's enterprise pages (names start with office_; the app namespace is "enterprises")."""

from django.urls import path

from .views import office

urlpatterns = [
    path("office/nominations/", office.OfficeNominationListView.as_view(), name="office_nominations"),
    path("office/nominations/export/", office.OfficeExportView.as_view(), name="office_nominations_export"),
    path("office/nominations/<int:pk>/", office.OfficeNominationDetailView.as_view(), name="office_nomination"),
    path("office/nominations/<int:pk>/transition/", office.OfficeTransitionView.as_view(),
         name="office_nomination_transition"),
    path("office/nominations/bulk/", office.OfficeBulkView.as_view(), name="office_nominations_bulk"),
    path("office/nominations/<int:pk>/override/", office.OfficeOverrideView.as_view(), name="office_nomination_override"),
    path("office/nominations/<int:pk>/check/", office.OfficeCheckNominationView.as_view(), name="office_nomination_check"),
    path("office/nominations/<int:pk>/letter/", office.OfficeLetterView.as_view(), name="office_nomination_letter"),
    path("office/checks/", office.OfficeChecksView.as_view(), name="office_checks"),
    path("office/rulebook/", office.OfficeRulebookView.as_view(), name="office_rulebook"),
    path("office/rulebook/<int:year>/", office.OfficeRulebookView.as_view(), name="office_rulebook_year"),
    path("office/registrations/", office.OfficeRegistrationImportView.as_view(), name="office_registration_import"),
    path("office/recognitions/<slug:kind>/", office.OfficeRecognitionImportView.as_view(),
         name="office_recognition_import"),
    path("office/tax/", office.OfficeTaxImportView.as_view(), name="office_tax_import"),
    path("office/tax/template.xlsx", office.OfficeTaxTemplateView.as_view(), name="office_tax_template"),
]
