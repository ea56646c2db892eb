"""The bureaus' pages: their nominations, the form, the detail, the 推荐表 PDF, the batch import.

A city bureau works on its region's nominations; a county bureau (县(市、区)科技部门) on its county's,
which it prepares for its city and forwards (enterprises.domain.county, views/county.py): the same
list, form and detail, limited to the county.
"""

import io

import django_filters
import django_tables2 as tables
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from pojian.domain.errors import PermissionDenied, StaleEdit
from pojian.downloads import file_response
from pojian.mixins import PortalPermissionMixin, message_for
from pojian.models import Cycle, Download, NominationState

from ..domain import county as county_step
from ..domain import eligibility, nominations
from ..domain import workflow as enterprise_workflow
from ..domain.import_nominations import TEMPLATE_FILENAME, template_workbook
from ..domain.rulebook import figures_label, figures_year_for
from ..forms import FORMSETS, ChooseEnterpriseForm, EnterpriseForm, ImportForm, NominationForm, formset_rows
from ..models import Enterprise, EnterpriseNomination, EnterpriseYear, Registration


def region_nominations(user, cycle):
    """A city bureau's region's nominations of the year (its counties' too); a county bureau's own county's."""
    return (
        county_step.visible_nominations(user, cycle)
        .select_related("enterprise", "verdict", "cycle", "county")
        .order_by("-updated_at")
    )


# --- list ---------------------------------------------------------------------------------------


class BureauNominationFilter(django_filters.FilterSet):
    VERDICTS = [
        ("eligible", gettext_lazy("Meets the 四科 standard")),
        ("failed", gettext_lazy("Fails the 四科 standard")),
        ("unchecked", gettext_lazy("Not checked yet")),
    ]

    q = django_filters.CharFilter(label=gettext_lazy("Name or code"), method="search")
    state = django_filters.ChoiceFilter(label=gettext_lazy("State"), choices=NominationState.choices)
    verdict = django_filters.ChoiceFilter(label=gettext_lazy("四科 verdict"), choices=VERDICTS, method="by_verdict")
    # A city bureau: its counties' nominations (the county chosen, or where they stand between county and city).
    county = django_filters.ModelChoiceFilter(label=gettext_lazy("County"), queryset=None,
                                              empty_label=gettext_lazy("All, the city's own too"))
    COUNTY_STAGES = [
        ("own", gettext_lazy("The city's own")),
        ("with_county", gettext_lazy("Being prepared by the county")),
        ("forwarded", gettext_lazy("Forwarded by the county")),
    ]
    stage = django_filters.ChoiceFilter(label=gettext_lazy("County step"), choices=COUNTY_STAGES, method="by_stage")

    class Meta:
        model = EnterpriseNomination
        fields = ["q", "state", "verdict", "county", "stage"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        counties = county_step.counties_of(user) if user is not None else None
        if user is None or county_step.acts_for_county(user) or not counties.exists():
            # A county's list is its own; a city without counties has nothing to choose.
            for name in ("county", "stage"):
                self.form.fields.pop(name)
                self.filters.pop(name)
        else:
            self.filters["county"].queryset = counties
            self.form.fields["county"].queryset = counties

    def by_stage(self, queryset, name, value):
        if value == "own":
            return queryset.filter(county__isnull=True)
        if value == "with_county":
            return queryset.filter(county__isnull=False, county_forwarded_at__isnull=True)
        if value == "forwarded":
            return queryset.filter(county__isnull=False, county_forwarded_at__isnull=False)
        return queryset

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(enterprise__name__icontains=value) | Q(enterprise__uscc__icontains=value.upper()))

    def by_verdict(self, queryset, name, value):
        if value == "eligible":
            return queryset.filter(verdict__eligible=True)
        if value == "failed":
            return queryset.filter(verdict__eligible=False)
        if value == "unchecked":
            return queryset.filter(verdict__isnull=True)
        return queryset


def verdict_html(record):
    try:
        verdict = record.verdict
    except EnterpriseNomination.verdict.RelatedObjectDoesNotExist:
        return format_html('<span class="text-muted" data-testid="verdict">{}</span>', _("Not checked yet"))
    if verdict.eligible:
        return format_html('<span class="text-success" data-testid="verdict"><i class="bi bi-check-circle"></i> {}</span>',
                           _("Meets the 四科 standard"))
    return format_html(
        '<span class="text-danger" data-testid="verdict"><i class="bi bi-x-circle"></i> {}</span> {}',
        _("Fails:"), format_html_join(" ", '<span class="badge text-bg-danger">{}</span>',
                                      ((eligibility.label(c),) for c in verdict.failed)),
    )


class BureauNominationTable(tables.Table):
    enterprise = tables.Column(verbose_name=gettext_lazy("Enterprise"), accessor="enterprise__name",
                               order_by=("enterprise__name",))
    uscc = tables.Column(verbose_name=gettext_lazy("USCC"), accessor="enterprise__uscc",
                         attrs={"td": {"class": "d-none d-md-table-cell"}, "th": {"class": "d-none d-md-table-cell"}})
    state = tables.TemplateColumn(template_name="pojian/_state_badge.html", verbose_name=gettext_lazy("State"),
                                  extra_context={}, order_by=("state",))
    verdict = tables.Column(verbose_name=gettext_lazy("四科 verdict"), empty_values=(), orderable=False)
    county = tables.Column(verbose_name=gettext_lazy("County"), empty_values=(), order_by=("county__code",))
    updated_at = tables.DateTimeColumn(verbose_name=gettext_lazy("Updated"), format="SHORT_DATETIME_FORMAT",
                                       attrs={"td": {"class": "d-none d-lg-table-cell"},
                                              "th": {"class": "d-none d-lg-table-cell"}})

    class Meta:
        model = EnterpriseNomination
        fields = ()
        sequence = ("enterprise", "uscc", "state", "verdict", "county", "updated_at")
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-hover align-middle", "data-testid": "nominations"}
        empty_text = gettext_lazy("No nominations match.")

    def render_enterprise(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("enterprises:bureau_nomination", args=[record.pk]), value)

    def render_state(self, record, column, bound_column, **kwargs):
        return get_template("pojian/_state_badge.html").render({"nomination": record})

    def render_verdict(self, record):
        return verdict_html(record)

    def render_county(self, record):
        return county_html(record)


def county_html(nomination):
    """Where a county's nomination stands between county and city (— for a city's own)."""
    if not nomination.county_id:
        return "—"
    if nomination.with_county:
        step = format_html('<span class="badge text-bg-warning" data-testid="county-step">{}</span>',
                           _("being prepared by the county"))
    else:
        step = format_html('<span class="badge text-bg-info" data-testid="county-step">{}</span>',
                           _("forwarded to the city"))
    return format_html("{} {}", nomination.county.name, step)


class NominationListView(PortalPermissionMixin, tables.SingleTableMixin, FilterView):
    permission_required = "enterprises.list_own_nominations"
    template_name = "enterprises/bureau_list.html"
    table_class = BureauNominationTable
    filterset_class = BureauNominationFilter
    paginate_by = 25

    def get_queryset(self):
        self.cycle = Cycle.objects.current()
        if self.cycle is None:
            return EnterpriseNomination.objects.none()
        return region_nominations(self.request.user, self.cycle)

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "user": self.request.user}

    def get_table(self, **kwargs):
        table = super().get_table(**kwargs)
        if county_step.acts_for_county(self.request.user):
            table.columns.hide("county")
        return table

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {**super().get_context_data(**kwargs), "cycle": self.cycle,
                "unit": user.region, "can_import": user.has_perm("enterprises.import_nominations")}


# --- create / edit ------------------------------------------------------------------------------


class NominationFormView(PortalPermissionMixin, TemplateView):
    """Create (no pk) or edit (pk) a nomination: the enterprise, the figures, results and letter."""

    template_name = "enterprises/bureau_form.html"

    def get_permission_object(self):
        return self.nomination

    def dispatch(self, request, *args, **kwargs):
        self.nomination = None
        if "pk" in kwargs:
            self.nomination = get_object_or_404(
                EnterpriseNomination.objects.select_related("cycle", "enterprise", "region"), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def handle_no_permission(self):
        user = self.request.user
        if self.nomination is not None and user.is_authenticated and user.has_perm("enterprises.view_nomination", self.nomination):
            messages.error(self.request, _(
                "A nomination can be edited only while it is a draft or returned, and while its year is open."))
            return redirect("enterprises:bureau_nomination", pk=self.nomination.pk)
        return super().handle_no_permission()

    # The pieces of the page.

    def _cycle(self):
        return self.nomination.cycle if self.nomination else Cycle.objects.current()

    def _enterprise(self):
        if self.nomination:
            return self.nomination.enterprise
        raw = self.request.POST.get("enterprise") or self.request.GET.get("enterprise")
        if not raw:
            return None
        if not str(raw).isdigit():
            raise Http404
        return get_object_or_404(county_step.nominable_enterprises(self.request.user), pk=raw)

    def _initial(self, enterprise, cycle):
        initial = {}
        if self.nomination:
            initial.update(version=self.nomination.version, recommendation=self.nomination.recommendation)
        if enterprise is not None and cycle is not None:
            year = EnterpriseYear.objects.filter(enterprise=enterprise, year=figures_year_for(cycle.year)).first()
            if year:
                initial.update({f: getattr(year, f) for f in nominations.FIGURE_FIELDS})
            registration = Registration.all_objects.filter(enterprise=enterprise, year=cycle.year).first()
            if registration:
                initial["registration_number"] = registration.number
        return initial

    def build(self, data=None, files=None):
        region = county_step.nominating_region(self.request.user) if self.nomination is None else self.nomination.region
        enterprise = self._enterprise()
        cycle = self._cycle()
        instance = enterprise or Enterprise(region=region)
        forms = {
            "enterprise": enterprise,
            "cycle": cycle,
            "figures_label": figures_label(figures_year=figures_year_for(cycle.year), year=cycle.year) if cycle else "",
            "enterprise_form": EnterpriseForm(data, instance=instance, region=region, prefix="ent"),
            "nomination_form": NominationForm(data, files, initial=self._initial(enterprise, cycle), prefix="nom"),
            "formsets": [
                (key, title, cls(data, instance=instance, prefix=key), fields)
                for key, cls, fields, title in FORMSETS
            ],
        }
        return forms

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("forms", None)
        ctx["nomination"] = self.nomination
        if self.nomination is None:
            ctx["choose_form"] = ChooseEnterpriseForm(
                self.request.GET or None, enterprises=county_step.nominable_enterprises(self.request.user))
        return ctx

    def get(self, request, *args, **kwargs):
        forms = self.build()
        if forms["cycle"] is None or forms["cycle"].is_closed:
            messages.error(request, _("There is no open programme year to nominate for."))
            return redirect("enterprises:bureau_nominations")
        return self.render_to_response(self.get_context_data(**forms))

    def post(self, request, *args, **kwargs):
        forms = self.build(request.POST, request.FILES)
        eform, nform = forms["enterprise_form"], forms["nomination_form"]
        formsets = forms["formsets"]
        valid = all([eform.is_valid(), nform.is_valid(), *(fs.is_valid() for _k, _t, fs, _f in formsets)])
        if valid:
            rows = {key: formset_rows(fs, fields) for key, _t, fs, fields in formsets}
            kwargs = {
                "by": request.user,
                "enterprise_fields": eform.values(),
                "registration_number": nform.cleaned_data["registration_number"],
                "figures": nform.figures(),
                "recommendation": nform.cleaned_data["recommendation"],
                "letter": nform.cleaned_data.get("letter"),
                "ip_items": rows["ip"],
                "transfers": rows["transfers"],
                "products": rows["products"],
            }
            try:
                if self.nomination is None:
                    nomination = nominations.create_nomination(
                        cycle=forms["cycle"], enterprise=forms["enterprise"], **kwargs)
                    messages.success(request, _("The nomination of %(name)s was saved as a draft.") % {
                        "name": nomination.enterprise.name})
                else:
                    version = nform.cleaned_data.get("version")
                    nomination = nominations.update_nomination(
                        self.nomination, expected_version=version if version is not None else -1, **kwargs)
                    messages.success(request, _("The nomination of %(name)s was saved.") % {
                        "name": nomination.enterprise.name})
                return redirect("enterprises:bureau_nomination", pk=nomination.pk)
            except StaleEdit as e:
                nform.add_error(None, message_for(e))
                messages.error(request, message_for(e))
            except ValidationError as e:
                if hasattr(e, "error_dict"):
                    for field, errors in e.error_dict.items():
                        target = eform if field in eform.fields else nform
                        target.add_error(field if field in target.fields else None, errors)
                else:
                    nform.add_error(None, message_for(e))
            except PermissionDenied as e:
                messages.error(request, str(e))
                return redirect("enterprises:bureau_nominations")
        else:
            messages.error(request, _("Please correct the errors below; nothing was saved."))
        return self.render_to_response(self.get_context_data(**forms))


class NominationCreateView(NominationFormView):
    permission_required = "enterprises.start_nomination"


class NominationUpdateView(NominationFormView):
    permission_required = "enterprises.change_nomination"


# --- detail, PDF ------------------------------------------------------------------------------


class NominationDetailView(PortalPermissionMixin, DetailView):
    permission_required = "enterprises.view_nomination"
    template_name = "enterprises/bureau_detail.html"
    context_object_name = "nomination"

    def get_queryset(self):
        return EnterpriseNomination.objects.select_related("cycle", "enterprise", "region", "created_by", "county")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        nomination = self.object
        user = self.request.user
        ctx.update(nominations.nomination_contents(nomination))
        ctx["actions"] = county_step.offered_actions(nomination, enterprise_workflow.available_actions(nomination, user))
        ctx["transition_url"] = reverse("enterprises:nomination_transition", args=[nomination.pk])
        ctx["can_edit"] = user.has_perm("enterprises.change_nomination", nomination)
        ctx["history"] = nomination.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
        ctx["window_open"] = nomination.cycle.nomination_window_open()
        ctx["window"] = enterprise_workflow.window_text(nomination.cycle)
        # County → city (views/county.py): the county forwards, the city returns with a reason.
        ctx["can_forward"] = user.has_perm("enterprises.forward_to_city", nomination)
        ctx["can_return_to_county"] = user.has_perm("enterprises.return_to_county", nomination)
        ctx["county_step"] = county_html(nomination) if nomination.county_id else ""
        try:
            get_template("enterprises/_verdict.html")
            ctx["verdict_template"] = "enterprises/_verdict.html"
        except TemplateDoesNotExist:
            ctx["verdict_template"] = None
        return ctx


class NominationPdfView(PortalPermissionMixin, DetailView):
    """The official nomination form (推荐表), for the region's bureau and the office."""

    permission_required = "enterprises.view_nomination"
    model = EnterpriseNomination

    def get(self, request, *args, **kwargs):
        nomination = self.get_object()
        pdf = nominations.render_nomination_form(nomination)
        return file_response(request, pdf, filename=f"nomination-{nomination.pk}.pdf", inline=True, obj=nomination,
                             subject=f"{nomination._meta.verbose_name} “{nomination}”", category=Download.Category.EXPORT)

    def get_queryset(self):
        return EnterpriseNomination.objects.select_related("cycle", "enterprise", "region")


# --- batch import -------------------------------------------------------------------------------


class ImportTemplateView(PortalPermissionMixin, TemplateView):
    permission_required = "enterprises.import_nominations"

    def get(self, request, *args, **kwargs):
        buffer = io.BytesIO()
        template_workbook(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
        return response


class ImportView(PortalPermissionMixin, TemplateView):
    permission_required = "enterprises.import_nominations"
    template_name = "enterprises/bureau_import.html"

    def get_context_data(self, **kwargs):
        from pojian.models import Job

        ctx = super().get_context_data(**kwargs)
        ctx.setdefault("form", ImportForm())
        ctx["cycle"] = Cycle.objects.current()
        ctx["jobs"] = Job.objects.filter(kind=IMPORT_KIND, region_id=self.request.user.region_id)[:10]
        return ctx

    def post(self, request, *args, **kwargs):
        from pojian.domain.jobs import start_job

        from ..tasks import import_nominations

        form = ImportForm(request.POST, request.FILES)
        cycle = Cycle.objects.current()
        if cycle is None or cycle.is_closed:
            messages.error(request, _("There is no open programme year to nominate for."))
            return HttpResponseRedirect(request.path)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        job, _created = start_job(
            kind=IMPORT_KIND, by=request.user, task=import_nominations, region=request.user.region,
            title=_("Nomination import %(year)s, %(region)s: %(file)s") % {
                "year": cycle.year, "region": request.user.region.name, "file": form.cleaned_data["file"].name},
            params={"cycle": cycle.pk, "language": get_language()},
            input_file=form.cleaned_data["file"],
            origin=(reverse("enterprises:bureau_import"), _("the nomination import")),
            next_step=(reverse("enterprises:bureau_nominations"), _("View the imported nominations")),
        )
        return redirect("job", pk=job.pk)


IMPORT_KIND = "enterprises.import_nominations"
