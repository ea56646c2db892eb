"""The cultivation pool's pages (培育库): the list, one enterprise's years, the cohorts, the tiers.

The office sees every region; a bureau only its own (the lists are filtered to it, another
region's enterprise is refused). Thin: enterprises.domain.pool / tiers / cohorts do the work.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from pojian.domain.errors import ValidationError
from pojian.domain.jobs import start_job
from pojian.mixins import PortalPermissionMixin, message_for
from pojian.models import Region

from .. import tasks
from ..domain import cohorts, pool, pool_county, tiers
from ..filters_pool import PoolFilter, filter_params, pool_queryset
from ..models import PoolEntry, TierRule

PER_PAGE = 50


def bureau_region_id(user):
    """The region a user's pool pages are limited to: a bureau's own; None for the office (every region)."""
    return None if user.has_perm("pojian.view_office_pages") else user.region_id


class PoolListView(PortalPermissionMixin, TemplateView):
    """The pool, filtered and paginated; a constant number of queries a page (count, page, choices)."""

    permission_required = "enterprises.view_pool_pages"
    template_name = "enterprises/pool_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        region_id = bureau_region_id(self.request.user)
        where = pool_county.scope(self.request.user)
        fs = PoolFilter(self.request.GET or None, queryset=pool_queryset(**where), bureau_region=where["region_id"],
                        bureau_county=where["county_id"])
        qs = fs.qs if fs.is_bound and fs.is_valid() else pool_queryset(**where)
        page = Paginator(qs, PER_PAGE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        ctx.update(filter=fs, page=page, rows=pool_rows(page_entries(page), tier_names=fs.tier_names),
                   query=query.urlencode(),
                   region=Region.objects.filter(pk=region_id).first() if region_id else None)
        return ctx


def page_entries(page):
    """The page's entries in two short queries: their ids from the filtered, ordered index (a later page skips
    index entries, not joined rows), then those entries with their enterprise and region."""
    ids = list(page.object_list.values_list("pk", flat=True))
    entries = PoolEntry.objects.filter(pk__in=ids).select_related("enterprise", "region").in_bulk()
    return [entries[pk] for pk in ids if pk in entries]


def pool_rows(entries, *, tier_names):
    """The page's rows as plain strings: the labels are looked up once a page, not once a cell (a row of
    model lookups and lazy labels cost the template about a millisecond on a busy machine)."""
    base = reverse("enterprises:pool")
    status = {value: str(label) for value, label in PoolEntry.Status.choices}
    via = {value: str(label) for value, label in PoolEntry.Via.choices}
    return [{"pk": e.pk, "url": f"{base}{e.pk}/", "name": e.enterprise.name, "uscc": e.enterprise.uscc,
             "region": e.region.name, "county": e.county.name if e.county_id else "", "tier": tier_names.get(e.tier_code, e.tier_code) if e.tier_code else "",
             "tier_year": e.tier_year, "status": status.get(e.status, e.status), "via": via.get(e.entered_via, e.entered_via),
             "entered_on": e.entered_on.isoformat()} for e in entries]


class PoolExportView(PortalPermissionMixin, View):
    """POST: the pool as filtered, to .xlsx in the background (a bureau's: its own region only)."""

    permission_required = ("enterprises.view_pool_pages", "enterprises.export_pool")
    http_method_names = ["post"]

    def post(self, request):
        where = pool_county.scope(request.user)
        job, _created = start_job(
            kind="enterprises.export_pool", title=_("Export of the cultivation pool"), by=request.user,
            task=tasks.export_pool, region=request.user.region,
            params={"filters": filter_params(request.GET), "region": where["region_id"], "county": where["county_id"],
                    "language": get_language()},
            origin=(reverse("enterprises:pool") + (f"?{request.GET.urlencode()}" if request.GET else ""),
                    _("the cultivation pool")),
        )
        return redirect("job", job.pk)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Pool status"), choices=PoolEntry.Status.choices)
    status_on = forms.DateField(label=gettext_lazy("Status date"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class PoolEntryView(PortalPermissionMixin, TemplateView):
    """One enterprise's years: figures by fiscal year, tiers with their evidence and moves, nominations,
    grants, contracts, investments, tenancies; the office records graduation or leaving."""

    permission_required = "enterprises.view_pool_entry"
    template_name = "enterprises/pool_entry.html"

    def get_permission_object(self):
        if not hasattr(self, "entry"):
            self.entry = get_object_or_404(PoolEntry.objects.select_related("enterprise", "region"), pk=self.kwargs["pk"])
        return self.entry

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        entry = self.get_permission_object()
        enterprise = entry.enterprise
        figures = []
        for row in enterprise.years.order_by("year"):
            figures.append({"year": row.year, **{f: row.effective(f)[0] for f in ("revenue", "rd_expense", "employees")},
                            "tech_staff": row.tech_staff, "tax": row.tax_imported_at is not None})
        ctx.update(
            entry=entry, enterprise=enterprise, figures=figures, timeline=tiers.timeline(enterprise),
            registrations=enterprise.registrations.all().order_by("year"),
            recognitions=enterprise.recognitions.all().order_by("year"),
            nominations=enterprise.nominations.select_related("cycle").order_by("cycle__year"),
            contracts=enterprise.tech_contracts.order_by("registered_on")[:50]
            if hasattr(enterprise, "tech_contracts") else [],
            investments=enterprise.investments.select_related("institution").order_by("date")[:50]
            if hasattr(enterprise, "investments") else [],
            tenancies=enterprise.tenancies.select_related("incubator").order_by("entered")[:50]
            if hasattr(enterprise, "tenancies") else [],
            grants=_grants(enterprise),
            can_change=self.request.user.has_perm("enterprises.change_pool_entry", entry),
            history=entry.history.select_related("history_user").order_by("-history_date")[:10],
        )
        if ctx["can_change"]:
            ctx["form"] = kwargs.get("form") or StatusForm(initial={
                "status": entry.status, "status_on": entry.status_on, "reason": entry.status_reason,
                "version": entry.version})
        return ctx

    def post(self, request, *args, **kwargs):
        entry = self.get_permission_object()
        if not request.user.has_perm("enterprises.change_pool_entry", entry):
            raise PermissionDenied
        form = StatusForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                pool.set_status(entry, by=request.user, status=data["status"], on=data["status_on"],
                                reason=data["reason"], expected_version=data["version"])
            except ValidationError as e:
                if hasattr(e, "error_dict"):
                    for field, errors in e.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, message_for(e))
            else:
                messages.success(request, _("The pool status is saved."))
                return HttpResponseRedirect(request.path)
        return self.render_to_response(self.get_context_data(form=form), status=400)


def _grants(enterprise):
    """The grants of an enterprise (the ledger's beneficiary is generic): none when funding is not installed."""
    try:
        from django.apps import apps
        from django.contrib.contenttypes.models import ContentType

        Grant = apps.get_model("funding", "Grant")
    except LookupError:
        return []
    ct = ContentType.objects.get_for_model(type(enterprise))
    return list(Grant.objects.filter(beneficiary_type=ct, beneficiary_id=enterprise.pk)
                .select_related("cycle", "line").order_by("cycle__year")[:50])


def cohort_region_filter(request):
    """The cohort pages' region filter: region_id, the region shown (a bureau's own; the office's choice,
    ?region=, else every region), and regions, the office's choices (None for a bureau: no choice)."""
    region_id = bureau_region_id(request.user)
    office = region_id is None
    if office and request.GET.get("region", "").isdigit():
        region_id = int(request.GET["region"])
    return {"region_id": region_id, "regions": Region.objects.nominating().filter(active=True) if office else None}


class CohortIndexView(PortalPermissionMixin, TemplateView):
    """The years with selected enterprises (cohorts), and the pool's growth by tier over the years."""

    permission_required = "enterprises.view_cohorts"
    template_name = "enterprises/pool_cohorts.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(cohort_region_filter(self.request))
        region_id = ctx["region_id"]
        ctx.update(years=cohorts.cohort_years(region_id=region_id), growth=cohorts.pool_growth(region_id=region_id),
                   sizes=[(PoolEntry.Status(r["status"]).label, r["n"]) for r in cohorts.pool_size(region_id=region_id)])
        return ctx


class CohortView(PortalPermissionMixin, TemplateView):
    """One year's selected enterprises followed through the later years: figures, growth indexes, tiers, moves."""

    permission_required = "enterprises.view_cohorts"
    template_name = "enterprises/pool_cohort.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = int(self.kwargs["year"])
        ctx.update(cohort_region_filter(self.request))
        region_id = ctx["region_id"]
        n = cohorts.size(year, region_id=region_id)
        if not n and year not in cohorts.cohort_years():
            raise Http404(_("No enterprises were selected in that year."))
        figures = cohorts.figures_by_year(year, region_id=region_id)
        ctx.update(year=year, size=n, figures=figures, chart=cohorts.index_chart(figures["rows"]),
                   tiers=cohorts.tiers_by_year(year, region_id=region_id),
                   region=Region.objects.filter(pk=region_id).first() if region_id else None)
        return ctx


class TierRuleForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = TierRule
        fields = ["rank", "code", "name", "needs_registration", "needs_sike", "needs_recognition", "revenue_min",
                  "employees_min", "rd_percent_min"]


class TierRulesView(PortalPermissionMixin, TemplateView):
    """The tiers of a year as data: everyone with the pool reads them; the office adds, changes, removes
    them and re-evaluates the standings (a job)."""

    permission_required = "enterprises.view_tiers"
    template_name = "enterprises/pool_tiers.html"

    def year(self):
        year = self.kwargs.get("year") or self.request.GET.get("year") or tiers.last_year()
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise Http404(_("No such year.")) from None
        if not 2000 <= year <= 2100:
            raise Http404(_("No such year."))
        return year

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.year()
        can_change = self.request.user.has_perm("enterprises.manage_tiers")
        rules = tiers.ensure_rules(year) if can_change else list(TierRule.objects.filter(year=year).order_by("rank"))
        forms_by_rule = kwargs.get("forms") or {}
        ctx.update(
            year=year, can_change=can_change,
            rules=[(r, forms_by_rule.get(r.pk) or (TierRuleForm(instance=r, prefix=f"r{r.pk}",
                                                                initial={"version": r.version}) if can_change else None))
                   for r in rules],
            new_form=kwargs.get("new_form") or (TierRuleForm(prefix="new") if can_change else None),
            years=sorted(set(TierRule.objects.values_list("year", flat=True)) | {year}),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("enterprises.manage_tiers"):
            raise PermissionDenied
        year = self.year()
        action = request.POST.get("action", "")
        back = reverse("enterprises:pool_tiers_year", args=[year])
        if action == "reevaluate":
            job, _created = start_job(
                kind="enterprises.reevaluate_tiers", title=_("Re-evaluating the pool's tiers"), by=request.user,
                task=tasks.reevaluate_tiers, params={"language": get_language()}, origin=(back, _("the tiers")),
                next_step=(reverse("enterprises:pool"), _("View the pool")),
            )
            return redirect("job", job.pk)
        if action == "add":
            form = TierRuleForm(request.POST, prefix="new")
            rule = TierRule(year=year)
            return self._save(form, rule, back, new=True)
        pk = request.POST.get("rule", "")
        rule = get_object_or_404(TierRule, pk=int(pk) if pk.isdigit() else 0, year=year)
        if action == "delete":
            try:
                tiers.delete_rule(rule, by=request.user, expected_version=int(request.POST.get("version") or 0))
            except ValidationError as e:
                messages.error(request, message_for(e))
            else:
                messages.success(request, _("The tier is removed. Re-evaluate the tiers to apply it."))
            return HttpResponseRedirect(back)
        form = TierRuleForm(request.POST, instance=rule, prefix=f"r{rule.pk}")
        return self._save(form, rule, back)

    def _save(self, form, rule, back, *, new=False):
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            version = form.cleaned_data.get("version")
            try:
                tiers.save_rule(rule, by=self.request.user, values=values,
                                expected_version=None if new else (version or 0))
            except ValidationError as e:
                if hasattr(e, "error_dict"):
                    for field, errors in e.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, message_for(e))
            else:
                messages.success(self.request, _("The tier is saved. Re-evaluate the tiers to apply it."))
                return HttpResponseRedirect(back)
        ctx = self.get_context_data(new_form=form if new else None, forms={} if new else {rule.pk: form})
        return self.render_to_response(ctx, status=400)
