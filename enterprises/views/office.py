"""The provincial office's pages for enterprise nominations: the year's list, one nomination,
the year-wide 四科 check, the tax-data import and the export. Thin: domain functions do the work."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
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
from pojian.domain.uploads import XLSX, sniff, validate_upload
from pojian.mixins import PortalPermissionMixin, run_domain
from pojian.models import Cycle, Job
from pojian.nomination_views import NominationTransitionView, ProtectedFileView

from .. import tasks
from ..domain import checks, eligibility, gate
from ..domain import import_recognitions as recognition_list
from ..domain import import_registrations as registration_list
from ..domain import import_tax as tax
from ..domain import rulebook as rulebooks
from ..domain import workflow as enterprise_workflow
from ..filters import NominationFilter, filter_params, office_queryset
from ..forms import RulebookForm
from ..models import EnterpriseNomination, EnterpriseYear, Rulebook
from ..tables import NominationTable

OFFICE_ACTIONS = ("accept", "return", "reject")
BULK_ACTIONS = ("accept", "return")


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
    return [{"template": "enterprises/office_panel.html", "summary": checks.year_summary(cycle.year), "year": cycle.year,
             "overrides": gate.override_count(cycle)}]


def office_nav_items(user):
    """Menu entries for the office's enterprise pages (for enterprises/panels.py's nav_items)."""
    if not user.has_perm("enterprises.review_nominations"):
        return []
    return [(_("Enterprise nominations"), reverse("enterprises:office_nominations")),
            (_("四科 rulebook"), reverse("enterprises:office_rulebook"))]


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
        ctx["bulk_actions"] = [workflow.TRANSITIONS[a] for a in BULK_ACTIONS]
        return ctx


class OfficeBulkView(PortalPermissionMixin, View):
    """POST ids=… action=accept|return [reason=…]: decide several nominations, refused row by row.

    A nomination that fails the 四科 gate is refused with its reason (an override is recorded one
    nomination at a time, on its page); the others are decided.
    """

    permission_required = "enterprises.review_nominations"
    http_method_names = ["post"]

    def post(self, request):
        action = request.POST.get("action", "")
        back = reverse("enterprises:office_nominations")
        query = request.POST.get("query", "")
        if query:
            back = f"{back}?{query}"
        if action not in BULK_ACTIONS:
            messages.error(request, _("Unknown action."))
            return HttpResponseRedirect(back)
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
        if not ids:
            messages.error(request, _("Tick the nominations to decide first."))
            return HttpResponseRedirect(back)
        reason = request.POST.get("reason", "")
        t = workflow.TRANSITIONS[action]
        if t.reason_required and not reason.strip():
            messages.error(request, _("Please give a reason."))
            return HttpResponseRedirect(back)
        done, refused = gate.bulk_decide(ids, action=action, by=request.user, reason=reason)
        if done:
            messages.success(request, _("%(n)d nominations: %(action)s.") % {"n": len(done), "action": t.label})
        for nomination, message in refused:
            messages.warning(request, _("%(name)s not changed: %(reason)s") % {
                "name": nomination.nominee_name, "reason": message})
        return HttpResponseRedirect(back)


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
        return EnterpriseNomination.objects.select_related("enterprise", "region", "cycle", "created_by", "verdict",
                                                           "verdict__rulebook")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        n = self.object
        enterprise = n.enterprise
        rulebook = ctx["rulebook"] = rulebooks.rulebook_for(n.cycle.year)
        verdict = getattr(n, "verdict", None)
        ctx["figures_year"] = (verdict.figures.get("figures_year") if verdict else None) or rulebook.figures_year
        ctx["figures_label"] = rulebooks.figures_label(figures_year=ctx["figures_year"], year=n.cycle.year)
        ctx["figures"] = EnterpriseYear.objects.filter(enterprise=enterprise, year=ctx["figures_year"]).first()
        ctx["registrations"] = enterprise.registrations.all()
        # Which results counted and which did not, and why, by the rules the verdict was judged by.
        ctx["judged_by"], ctx["ip_items"], ctx["transfers"] = checks.counted_results(n, verdict=verdict)
        ctx["core_products"] = enterprise.core_products.all()
        ctx["verdict"] = getattr(n, "verdict", None)
        ctx["gate_state"] = gate.gate_state(n)
        ctx["gate_refusal"] = gate.refusal(n)
        ctx["can_override"] = (
            ctx["gate_state"] == gate.FAIL and n.state in gate.OVERRIDABLE_STATES
            and self.request.user.has_perm("enterprises.override_gate", n)
        )
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

    @staticmethod
    def transition_function(nomination, action, *, by, reason=""):
        return enterprise_workflow.transition(nomination, action, by=by, reason=reason)


class OfficeOverrideView(PortalPermissionMixin, View):
    """POST reason=… [accept=1]: record the override of a failing 四科 verdict (and accept, if asked)."""

    permission_required = "enterprises.review_nominations"
    http_method_names = ["post"]

    def post(self, request, pk):
        nomination = get_object_or_404(EnterpriseNomination.objects.select_related("cycle", "enterprise"), pk=pk)
        reason = request.POST.get("reason", "")
        if request.POST.get("accept"):
            if run_domain(request, enterprise_workflow.accept, nomination, by=request.user, override_reason=reason):
                messages.success(request, _("%(name)s accepted with an override of the 四科 check.") % {
                    "name": nomination.nominee_name})
        elif run_domain(request, gate.record_override, nomination, by=request.user, reason=reason):
            messages.success(request, _("Override of the 四科 check recorded for %(name)s.") % {
                "name": nomination.nominee_name})
        return redirect("enterprises:office_nomination", pk)

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
    year = forms.IntegerField(
        label=gettext_lazy("Fiscal year of the figures"), min_value=2000, max_value=2100,
        help_text=gettext_lazy("The fiscal year the tax figures are for; by default the figures year of the current rulebook."),
    )
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
        return {"year": rulebooks.figures_year_for(cycle.year) if cycle else None}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        cycle = current_cycle()
        if cycle:
            form.fields["year"].help_text = rulebooks.figures_label(
                figures_year=rulebooks.figures_year_for(cycle.year), year=cycle.year)
        return form

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
        content = tax.template_workbook(year=rulebooks.figures_year_for(cycle.year) if cycle else None)
        response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="tax-data-template.xlsx"'
        return response


# --- the year's rulebook -----------------------------------------------------------------------


class OfficeRulebookView(PortalPermissionMixin, FormView):
    """The 四科 rules of a programme year (the current one by default): view, and change them.

    Before the year's first check a change edits the rules in place; afterwards it makes a new
    version with a reason and the year's check runs again (enterprises.domain.rulebook).
    """

    permission_required = "enterprises.view_rulebook"
    template_name = "enterprises/office_rulebook.html"

    def dispatch(self, request, *args, **kwargs):
        year = kwargs.get("year")
        if year is None:
            year = current_year_or_404().year
        elif not Cycle.objects.filter(year=year).exists():
            raise Http404(_("No such programme year."))
        self.year = int(year)
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, form_class=None):
        self.rulebook = rulebooks.rulebook_for(self.year)
        self.judged = rulebooks.has_judged(self.rulebook)
        return RulebookForm(**self.get_form_kwargs(), instance=self.rulebook, reason_required=self.judged,
                            initial={"high_value_kinds": list(self.rulebook.high_value_kinds)})

    def get_form_kwargs(self):
        kwargs = {}
        if self.request.method == "POST":
            kwargs = {"data": self.request.POST}
        return kwargs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            year=self.year, rulebook=self.rulebook, judged=self.judged,
            versions=Rulebook.objects.filter(year=self.year).select_related("created_by").order_by("-version"),
            can_change=self.request.user.has_perm("enterprises.change_rulebook"),
            figures_label=rulebooks.figures_label(figures_year=self.rulebook.figures_year, year=self.year),
            history=self.rulebook.history.select_related("history_user").order_by("-history_date")[:10],
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("enterprises.change_rulebook"):
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from django.core.exceptions import ValidationError

        try:
            rulebook, job = rulebooks.update_rulebook(
                rulebook=rulebooks.current(self.year), values=form.values(), reason=form.cleaned_data["reason"],
                by=self.request.user, language=get_language(),
            )
        except ValidationError as e:
            for message in e.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        if job is not None:
            messages.success(self.request, _("Version %(version)s of the %(year)s rulebook saved; the year's check runs again.") % {
                "version": rulebook.version, "year": self.year})
            return redirect("job", job.pk)
        messages.success(self.request, _("The %(year)s rulebook is saved.") % {"year": self.year})
        return redirect("enterprises:office_rulebook_year", self.year)

# --- the registration list (入库登记) ----------------------------------------------------------------


class ListFileForm(forms.Form):
    """An uploaded list: an .xlsx workbook (checked by content) or a CSV text file (UTF-8 or GBK)."""

    file = forms.FileField(label=gettext_lazy("List (.xlsx or .csv)"))

    def clean_file(self):
        from django.conf import settings

        f = self.cleaned_data["file"]
        if sniff(f) == XLSX:
            validate_upload(f, kinds=[XLSX])
            return f
        if f.size > settings.UPLOAD_MAX_BYTES or f.size == 0:
            validate_upload(f, kinds=[XLSX])  # its messages for the size
        f.seek(0)
        head = f.read(4096)
        f.seek(0)
        if b"\x00" in head or not any(_decodes(head, e) for e in ("utf-8-sig", "gb18030")):
            raise forms.ValidationError(_("Upload an Excel (.xlsx) workbook or a CSV text file."))
        return f


class RegistrationImportForm(ListFileForm):
    file = forms.FileField(
        label=gettext_lazy("Registration list (.xlsx or .csv)"),
        help_text=gettext_lazy("Columns 企业名称, 统一社会信用代码, 登记编号, 年度, 状态 (入库 or 撤销), 日期, as the national "
                               "evaluation platform exports them. Every bad row is listed and nothing is imported until "
                               "all rows are correct."),
    )


def _decodes(data, encoding):
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        # A multi-byte character cut at the end of the sample is not a reason to refuse.
        try:
            data[:-3].decode(encoding)
        except UnicodeDecodeError:
            return False
    return True


class OfficeRegistrationImportView(PortalPermissionMixin, FormView):
    """The office imports the province's 入库登记 list (a background job, all or nothing)."""

    permission_required = "enterprises.import_registrations"
    template_name = "enterprises/office_registration_import.html"
    form_class = RegistrationImportForm

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["columns"] = [zh for _k, zh, _en in registration_list.COLUMNS]
        ctx["last_jobs"] = Job.objects.filter(kind="enterprises.import_registrations").select_related("created_by")[:5]
        return ctx

    def form_valid(self, form):
        job, created = start_job(
            kind="enterprises.import_registrations",
            title=_("Registration list: %(file)s") % {"file": form.cleaned_data["file"].name},
            by=self.request.user,
            task=tasks.import_registrations,
            params={"language": get_language()},
            input_file=form.cleaned_data["file"],
            dedupe_key=registration_list.import_dedupe_key(),
        )
        if not created:
            messages.warning(self.request, _("A registration list import is already running; wait for it to finish."))
        return redirect("job", job.pk)


# --- the high-tech, 专精特新 and 小巨人 lists (the higher tiers) ------------------------------------------

RECOGNITION_SLUGS = {"high-tech": "high_tech", "specialised": "specialised", "little-giant": "little_giant"}


class OfficeRecognitionImportView(PortalPermissionMixin, FormView):
    """The office imports the high-tech enterprise list or a 专精特新 / 小巨人 list (a background job, all or nothing);
    the recognitions feed the pool's tiers."""

    permission_required = "enterprises.import_recognitions"
    template_name = "enterprises/office_recognition_import.html"
    form_class = ListFileForm

    def dispatch(self, request, *args, **kwargs):
        if kwargs["kind"] not in RECOGNITION_SLUGS:
            raise Http404(_("No such list."))
        self.kind = RECOGNITION_SLUGS[kwargs["kind"]]
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        columns, optional = recognition_list.columns_for(self.kind)
        ctx.update(
            kind=self.kind, label=recognition_list.LABELS[self.kind],
            columns=[zh for key, zh, _en in columns if key not in optional],
            optional_columns=[zh for key, zh, _en in columns if key in optional],
            lists=[(slug, recognition_list.LABELS[kind]) for slug, kind in RECOGNITION_SLUGS.items()],
            slug=self.kwargs["kind"],
            last_jobs=Job.objects.filter(kind=f"enterprises.import_recognitions.{self.kind}")
            .select_related("created_by")[:5],
        )
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        job, created = start_job(
            kind=f"enterprises.import_recognitions.{self.kind}",
            title=_("%(list)s: %(file)s") % {"list": recognition_list.LABELS[self.kind], "file": upload.name},
            by=self.request.user,
            task=tasks.import_recognitions,
            params={"language": get_language(), "kind": self.kind, "filename": upload.name},
            input_file=upload,
            dedupe_key=recognition_list.import_dedupe_key(self.kind),
            origin=(self.request.path, recognition_list.LABELS[self.kind]),
            next_step=(reverse("enterprises:pool"), _("View the pool")),
        )
        if not created:
            messages.warning(self.request, _("An import of this list is already running; wait for it to finish."))
        return redirect("job", job.pk)
