"""The public pages: the 公示 (selected list, the period's dates, how to object) while a notice runs,
and the confirmed results afterwards. Only what the office published: names, regions and what the
office chose to show — no personal data, no expert, no unselected nomination."""

from django.views.generic import DetailView, TemplateView

from pojian.mixins import PortalPermissionMixin

from ..domain import queries
from ..models import PublicNotice


class PublicNoticeListView(PortalPermissionMixin, TemplateView):
    """Every notice that has started (reviews.view_public_notice decides, per notice)."""

    permission_required = ()  # public: anyone may see the list; each notice is filtered by its permission
    template_name = "reviews/public_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        visible = [
            n for n in PublicNotice.objects.select_related("round__cycle").order_by("-starts", "-pk")
            if user.has_perm("reviews.view_public_notice", n)
        ]
        ctx["running"] = [n for n in visible if not n.round.results_confirmed_at]
        ctx["confirmed"] = [n for n in visible if n.round.results_confirmed_at]
        return ctx


class PublicNoticeView(PortalPermissionMixin, DetailView):
    """One notice: during the period the selected list with how to object; after confirmation the results."""

    model = PublicNotice
    permission_required = "reviews.view_public_notice"
    template_name = "reviews/public_notice.html"
    context_object_name = "notice"

    def get_queryset(self):
        return PublicNotice.objects.select_related("round__cycle")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notice = self.object
        round_ = notice.round
        ctx.update(
            round=round_, items=queries.selected_items(round_), confirmed=bool(round_.results_confirmed_at),
            running=notice.is_running(),
        )
        return ctx
