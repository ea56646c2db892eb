"""The public pages: the 公示 index (every 公示 and confirmed list, year by year), one 公示 (the selected
list, the period, how to object, the correction notices, the online objection form and, after the
period, how many objections were received and handled), the confirmed lists. Only what the office
published: names, regions and what the office chose to show — no personal data, no expert, no
unselected nomination."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView

from pojian.domain.errors import ValidationError
from pojian.mixins import PortalPermissionMixin

from ..domain import notices, public_lists, queries
from ..domain.notices import public_title
from ..forms import PublicObjectionForm
from ..models import Objection, PublicNotice, ReviewItem


def name_heading(kind):
    return {
        "enterprises": _("Enterprise name"),
        "incubators": _("Incubator or maker space"),
        "finance": _("Institution name"),
        "bureau_summaries": _("Nominating unit"),
        public_lists.PARTNERS: _("Institution name"),
    }.get(kind, _("Name"))


class PublicNoticeListView(PortalPermissionMixin, TemplateView):
    """Every notice that has started and every confirmed list, by year (reviews.view_public_notice decides, per notice)."""

    permission_required = ()  # public: anyone may see the index; each notice is filtered by its permission
    template_name = "reviews/public_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["years"] = public_lists.index(user=self.request.user)
        return ctx


class PublicNoticeView(PortalPermissionMixin, DetailView):
    """One notice: during the period the selected list with how to object; after confirmation the results."""

    model = PublicNotice
    permission_required = "reviews.view_public_notice"
    template_name = "reviews/public_notice.html"
    context_object_name = "notice"

    def get_queryset(self):
        return PublicNotice.objects.select_related("round__cycle")

    def objection_form(self, data=None, files=None):
        items = ReviewItem.objects.filter(round=self.object.round, selected=True).order_by("rank", "nominee_name")
        return PublicObjectionForm(data, files, items=items, prefix="objection")

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.objection_form(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                notices.submit_objection(
                    notice=self.object, item=d["item"], objector=d["objector"], unit=d["unit"], phone=d["phone"],
                    content=d["content"], evidence=d["evidence"], address=request.META.get("REMOTE_ADDR"),
                )
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, _("Your objection has been received. The office will contact you."))
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(objection_form=form), status=400)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        notice = self.object
        round_ = notice.round
        if notice.is_running() and not round_.results_confirmed_at:
            ctx.setdefault("objection_form", self.objection_form())
        ctx.update(
            round=round_, items=queries.selected_items(round_), confirmed=bool(round_.results_confirmed_at),
            running=notice.is_running(), public_title=public_title(round_), name_heading=name_heading(round_.kind),
            corrections=notice.corrections.all(),
        )
        if notice.is_over():
            objections = notice.objections.all()
            ctx["objections_received"] = objections.count()
            ctx["objections_handled"] = objections.exclude(outcome=Objection.Outcome.PENDING).count()
        return ctx


class PublicConfirmedListView(PortalPermissionMixin, TemplateView):
    """A year's confirmed list of one kind (the nominations selected, or the finance cooperation list)."""

    permission_required = ()  # public: a confirmed list is published
    template_name = "reviews/public_confirmed.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year, kind = self.kwargs["year"], self.kwargs["kind"]
        rows = public_lists.confirmed_list(year=year, kind=kind)
        if not rows:
            raise Http404
        ctx.update(year=year, kind=kind, rows=rows, list_name=public_lists.list_name(kind), name_heading=name_heading(kind))
        return ctx


class PublicNoticePdfView(PublicNoticeView):
    """The printable 公示: official header, the list, the period, where to object, the correction notices."""

    http_method_names = ["get", "head"]

    def render_to_response(self, context, **kwargs):
        from django.http import HttpResponse

        from pojian.domain.pdf import render_pdf

        pdf = render_pdf("reviews/pdf_public_notice.html", context)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-{self.object.pk}.pdf"'
        return response
