"""The provincial office's pages for enterprise nominations: the year's list, one nomination,
the year-wide 四科 check, the tax-data import and the export. Thin: domain functions do the work."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, TemplateView, View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from pojian.domain import workflow
from pojian.domain.jobs import start_job
from pojian.domain.uploads import XLSX, validate_upload
from pojian.mixins import PortalPermissionMixin
from pojian.models import Cycle, Job
from pojian.nomination_views import NominationTransitionView, ProtectedFileView

from .. import tasks
from ..domain import checks, eligibility
from ..domain import import_tax as tax
from ..filters import NominationFilter, filter_params, office_queryset
from ..models import EnterpriseNomination, EnterpriseYear
from ..tables import NominationTable

OFFICE_ACTIONS = ("accept", "return", "reject")


def current_cycle():
    return Cycle.objects.current()


def current_year_or_404():
    cycle = current_cycle()
    if cycle is None:
        raise Http404(_("No programme year is open."))
    return cycle


def office_panels(request, cycle):
    """Home-page cards for the office (for enterprises/panels.py to return, if it wants them)."""
    if cycle is None or not request.user.has_perm("enterprises.review_nominations"):
        return []
    return [{"template": "enterprises/office_panel.html", "summary": checks.year_summary(cycle.year), "year": cycle.year}]


def office_nav_items(user):
    """Menu entries for the office's enterprise pages (for enterprises/panels.py's nav_items)."""
    if not user.has_perm("enterprises.review_nominations"):
        return []
    return [(_("Enterprise nominations"), reverse("enterprises:office_nominations"))]


# --- the list ----------------------------------------------------------------------------------


class OfficeNominationListView(PortalPermissionMixin, SingleTableMixin, FilterView):
    """All enterprise nominations of the current year, filtered; a constant number of queries a page."""

    permission_required = "enterprises.review_nominations"
    template_name = "enterprises/office_nominations.html"
    filterset_class = NominationFilter
    table_class = NominationTable
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        self.cycle = current_year_or_404()
        # Newest first by primary key: an index scan, however many nominations there are.
        return office_queryset(self.cycle).order_by("-pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cycle"] = self.cycle
        ctx["query"] = self.request.GET.urlencode()
        return ctx


class OfficeExportView(PortalPermissionMixin, View):
    """POST: export the list as filtered (the query string) to .xlsx in the background; go to the job page."""

    permission_required = ("enterprises.review_nominations", "enterprises.export_nominations")
    http_method_names = ["post"]

    def post(self, request):
        cycle = current_year_or_404()
        job, _created = start_job(
            kind="enterprises.export_nominations",
            title=_("Export of the %(year)s enterprise nominations") % {"year": cycle.year},
            by=request.user,
            task=tasks.export_nominations,
            params={"year": cycle.year, "filters": filter_params(request.GET), "language": get_language()},
            origin=(request.get_full_path().replace(reverse("enterprises:office_nominations_export"),
                                                    reverse("enterprises:office_nominations"), 1),
                    _("the list of nominations")),
        )
        return redirect("job", job.pk)


# --- one nomination ----------------------------------------------------------------------------


class OfficeNominationDetailView(PortalPermissionMixin, DetailView):
    permission_required = "enterprises.review_nominations"
    template_name = "enterprises/office_nomination.html"
    context_object_name = "nomination"

    def get_queryset(self):
        return EnterpriseNomination.objects.select_related("enterprise", "region", "cycle", "created_by", "verdict")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        n = self.object
        enterprise = n.enterprise
        ctx["figures"] = EnterpriseYear.objects.filter(enterprise=enterprise, year=n.cycle.year).first()
        ctx["registrations"] = enterprise.registrations.all()
        ctx["ip_items"] = enterprise.ip_items.all()
        ctx["transfers"] = enterprise.transfers.all()
        ctx["core_products"] = enterprise.core_products.all()
        ctx["verdict"] = getattr(n, "verdict", None)
        ctx["actions"] = [t for t in workflow.available_actions(n, self.request.user) if t.action in OFFICE_ACTIONS]
        ctx["transition_url"] = reverse("enterprises:office_nomination_transition", args=[n.pk])
        ctx["can_check"] = self.request.user.has_perm("enterprises.run_checks")
        ctx["history"] = n.history.select_related("history_user").order_by("-history_date")[:20]
        return ctx


class OfficeTransitionView(NominationTransitionView):
    """Accept, return (with reason) or reject (with reason) one nomination: `workflow.transition`."""

    model = EnterpriseNomination
    permission_required = "enterprises.review_nominations"

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") not in OFFICE_ACTIONS:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(reverse("enterprises:office_nomination", args=[kwargs["pk"]]))
        return super().post(request, *args, **kwargs)

    def _next(self, nomination):
        return reverse("enterprises:office_nomination", args=[nomination.pk])


class OfficeLetterView(ProtectedFileView):
    model = EnterpriseNomination
    permission_required = "enterprises.review_nominations"


class OfficeCheckNominationView(PortalPermissionMixin, View):
    """POST: run the 四科 check for this one nomination now."""

    permission_required = "enterprises.run_checks"
    http_method_names = ["post"]

    def post(self, request, pk):
        nomination = get_object_or_404(EnterpriseNomination.objects.select_related("cycle", "enterprise"), pk=pk)
        verdict = checks.check_nomination(nomination)
        if verdict.eligible:
            messages.success(request, _("%(name)s meets the 四科 standard.") % {"name": nomination.nominee_name})
        else:
            messages.warning(request, _("%(name)s does not meet the 四科 standard: %(failed)s.") % {
                "name": nomination.nominee_name, "failed": "、".join(str(eligibility.label(c)) for c in verdict.failed),
            })
        return redirect("enterprises:office_nomination", pk)


# --- the year-wide check -----------------------------------------------------------------------


class OfficeChecksView(PortalPermissionMixin, TemplateView):
    """GET: the year's 四科 results; POST: run the check for the whole year (once at a time)."""

    permission_required = "enterprises.run_checks"
    template_name = "enterprises/office_checks.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = ctx["cycle"] = current_year_or_404()
        ctx["summary"] = checks.year_summary(cycle.year)
        ctx["running"] = Job.objects.filter(
            dedupe_key=checks.year_check_dedupe_key(cycle.year), status__in=[Job.Status.QUEUED, Job.Status.RUNNING]
        ).first()
        ctx["last_jobs"] = Job.objects.filter(kind="enterprises.check_year").select_related("created_by")[:5]
        return ctx

    def post(self, request):
        cycle = current_year_or_404()
        job, created = start_job(
            kind="enterprises.check_year",
            title=_("四科 check of the %(year)s enterprise nominations") % {"year": cycle.year},
            by=request.user,
            task=tasks.check_year,
            params={"year": cycle.year, "language": get_language()},
            dedupe_key=checks.year_check_dedupe_key(cycle.year),
            origin=(reverse("enterprises:office_checks"), _("the 四科 checks")),
            next_step=(reverse("enterprises:office_nominations"), _("View the check results")),
        )
        if not created:
            messages.info(request, _("The check for this year is already running; here is its progress."))
        return redirect("job", job.pk)


# --- the tax-data import -----------------------------------------------------------------------


class TaxImportForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year of the figures"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=gettext_lazy("Tax data (.xlsx)"),
        help_text=gettext_lazy("Use the template. The file is checked by its content; every bad row is listed and nothing is imported until all rows are correct."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        validate_upload(f, kinds=[XLSX])
        return f


class OfficeTaxImportView(PortalPermissionMixin, FormView):
    permission_required = "enterprises.import_tax_data"
    template_name = "enterprises/office_tax_import.html"
    form_class = TaxImportForm

    def get_initial(self):
        cycle = current_cycle()
        return {"year": cycle.year if cycle else None}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["last_jobs"] = Job.objects.filter(kind="enterprises.import_tax").select_related("created_by")[:5]
        return ctx

    def form_valid(self, form):
        year = form.cleaned_data["year"]
        job, created = start_job(
            kind="enterprises.import_tax",
            title=_("Tax data for %(year)s: %(file)s") % {"year": year, "file": form.cleaned_data["file"].name},
            by=self.request.user,
            task=tasks.import_tax,
            params={"year": year, "language": get_language()},
            input_file=form.cleaned_data["file"],
            dedupe_key=tax.tax_import_dedupe_key(year),
            origin=(reverse("enterprises:office_tax_import"), _("the tax-data import")),
            next_step=(reverse("enterprises:office_checks"), _("Run the 四科 check with the tax figures")),
        )
        if not created:
            messages.warning(self.request, _("A tax-data import for %(year)s is already running; wait for it to finish.") % {"year": year})
        return redirect("job", job.pk)


class OfficeTaxTemplateView(PortalPermissionMixin, View):
    permission_required = "enterprises.import_tax_data"

    def get(self, request):
        cycle = current_cycle()
        content = tax.template_workbook(year=cycle.year if cycle else None)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="tax-data-template.xlsx"'
        return response

