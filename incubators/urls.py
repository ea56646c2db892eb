from django.urls import path

from pojian import converters  # noqa: F401 - registers <year:…>
from pojian.nomination_views import ProtectedFileView

from . import views
from .models import IncubatorNomination

app_name = "incubators"
urlpatterns = [
    # The bureau's pages (the detail page serves the office too: its buttons depend on who looks).
    path("nominations/", views.BureauNominationListView.as_view(), name="bureau_list"),
    path("nominations/new/", views.NominationCreateView.as_view(), name="nomination_create"),
    path("nominations/<int:pk>/", views.NominationDetailView.as_view(), name="nomination_detail"),
    path("nominations/<int:pk>/edit/", views.NominationUpdateView.as_view(), name="nomination_edit"),
    path("nominations/<int:pk>/transition/", views.IncubatorTransitionView.as_view(), name="nomination_transition"),
    path(
        "nominations/<int:pk>/letter/",
        ProtectedFileView.as_view(model=IncubatorNomination, permission_required="incubators.view_nomination"),
        name="nomination_letter",
    ),
    path("<int:pk>/tenants/", views.TenantsView.as_view(), name="tenants"),
    # The office's pages.
    path("office/nominations/", views.OfficeNominationListView.as_view(), name="office_list"),
    path("office/nominations/export/", views.ExportView.as_view(), name="office_export"),
    path("office/post-subsidies/", views.PostSubsidyListView.as_view(), name="post_subsidies"),
    path("office/post-subsidies/mark/", views.MarkSupportView.as_view(), name="post_subsidy_mark"),
    path("office/post-subsidies/<int:pk>/remove/", views.RemoveSupportView.as_view(), name="post_subsidy_remove"),
    path("office/post-subsidies/publish/", views.PublishView.as_view(), name="post_subsidy_publish"),
    path("office/post-subsidies/rule/", views.SubsidyRuleView.as_view(), name="subsidy_rule"),
    path("office/post-subsidies/from-round/", views.FromRoundView.as_view(), name="post_subsidy_from_round"),
    # Public: only a year the office has published exists here.
    path("public/post-subsidies/<year:year>/", views.PublicPostSubsidyView.as_view(), name="public_post_subsidies"),
]
