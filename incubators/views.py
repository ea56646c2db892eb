"""Pages for incubator nominations: the bureau's, the office's, the post-subsidy list and its public page.

Views are thin: they check the permission (incubators/rules.py), bind forms and call
incubators.domain.*; state changes go through the shared workflow.
"""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from pojian.domain import workflow
from pojian.domain.errors import ValidationError
from pojian.domain.jobs import start_job
from pojian.downloads import file_response
from pojian.history import change_reason_display
from pojian.mixins import PortalPermissionMixin, message_for, run_domain
from pojian.models import Cycle, Download
from pojian.nomination_views import NominationTransitionView

from . import tasks
from .domain import export, figures, nominations, post_subsidies
from .filters import IncubatorNominationFilter, office_queryset
from .forms import (
    ChooseIncubatorForm,
    IncubatorForm,
    MarkSupportForm,
    NominationForm,
    SubsidyRuleForm,
    YearForm,
    tenancy_formset,
)
from .models import Incubator, IncubatorNomination, IncubatorYear, PostSubsidy, PostSubsidyPublication
from .tables import IncubatorNominationTable


def current_cycle():
    return Cycle.objects.current()


# ---------------------------------------------------------------- bureau


class BureauNominationListView(PortalPermissionMixin, ListView):
    """The bureau's incubator nominations of the current year."""

    permission_required = "incubators.list_nominations"
    template_name = "incubators/nomination_list.html"
    context_object_name = "nominations"

    def get_queryset(self):
        self.cycle = current_cycle()
        if self.cycle is None:
            return IncubatorNomination.objects.none()
        return (
            IncubatorNomination.objects.filter(cycle=self.cycle, region_id=self.request.user.region_id)
            .select_related("incubator", "cycle")
            .order_by("incubator__name")
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cycle"] = self.cycle
        ctx["can_add"] = self.cycle is not None and not self.cycle.is_closed
        ctx["performance"] = figures.performances(
            incubator_ids=[n.incubator_id for n in ctx["nominations"]], year=self.cycle.year
        ) if self.cycle else {}
        return ctx


class NominationFormMixin:
    template_name = "incubators/nomination_form.html"

    def render_forms(self, **forms):
        return render(self.request, self.template_name, {**self.extra_context_data(), **forms})

    def extra_context_data(self):
        return {}

    @staticmethod
    def show_domain_errors(error, forms):
        """Put a domain ValidationError on the form field it names, else on the first form."""
        if hasattr(error, "error_dict"):
            for field, errs in error.error_dict.items():
                target = next((f for f in forms if field in f.fields), forms[0])
                for e in errs:
                    target.add_error(field if field in target.fields else None, e)
        else:
            forms[0].add_error(None, message_for(error))


class NominationCreateView(NominationFormMixin, PortalPermissionMixin, View):
    """A bureau nominates an incubator: an existing one of its region or a new one, with this year's figures."""

    permission_required = "incubators.add_nomination"

    def dispatch(self, request, *args, **kwargs):
        self.cycle = current_cycle()
        return super().dispatch(request, *args, **kwargs)

    def extra_context_data(self):
        return {"cycle": self.cycle, "creating": True}

    def forms(self, data=None, files=None):
        year = self.cycle.year if self.cycle else None
        incubator_form = IncubatorForm(data, prefix="incubator", legend=_("Or a new incubator"))
        incubator_form.use_required_attribute = False  # not needed when an existing one is chosen
        return {
            "choose_form": ChooseIncubatorForm(data, prefix="choose", region=self.request.user.region),
            "incubator_form": incubator_form,
            "year_form": YearForm(data, prefix="year", year=year),
            "nomination_form": NominationForm(data, files, prefix="nomination"),
        }

    def get(self, request, *args, **kwargs):
        if self.cycle is None or self.cycle.is_closed:
            messages.error(request, _("There is no open programme year to nominate for."))
            return redirect("incubators:bureau_list")
        return self.render_forms(**self.forms())

    def post(self, request, *args, **kwargs):
        if self.cycle is None or self.cycle.is_closed:
            messages.error(request, _("There is no open programme year to nominate for."))
            return redirect("incubators:bureau_list")
        forms = self.forms(request.POST, request.FILES)
        choose, incubator_form = forms["choose_form"], forms["incubator_form"]
        year_form, nomination_form = forms["year_form"], forms["nomination_form"]
        valid = choose.is_valid() & year_form.is_valid() & nomination_form.is_valid()
        existing = choose.cleaned_data.get("existing") if choose.is_valid() else None
        if existing is None:
            valid &= incubator_form.is_valid()
        if valid:
            try:
                nomination = nominations.create_nomination(
                    by=request.user, cycle=self.cycle, incubator=existing,
                    new_incubator=None if existing else incubator_form.cleaned_data,
                    figures=year_form.cleaned_data, results=nomination_form.cleaned_data["results"],
                    recommendation=nomination_form.cleaned_data.get("recommendation", ""),
                    letter=nomination_form.cleaned_data.get("letter"),
                )
            except ValidationError as e:
                self.show_domain_errors(e, [incubator_form, year_form, nomination_form] if not existing
                                        else [nomination_form, year_form])
            else:
                messages.success(request, _("The nomination of %(name)s is saved as a draft.") % {"name": nomination.nominee_name})
                return redirect(nomination.get_absolute_url())
        return self.render_forms(**forms)


class NominationUpdateView(NominationFormMixin, PortalPermissionMixin, DetailView):
    """The bureau edits a draft or returned nomination; a stale form is refused, never saved over newer data."""

    model = IncubatorNomination
    permission_required = "incubators.change_nomination"

    def get_queryset(self):
        return IncubatorNomination.objects.select_related("incubator", "cycle", "region")

    def extra_context_data(self):
        return {"cycle": self.object.cycle, "nomination": self.object, "creating": False}

    def forms(self, data=None, files=None):
        n = self.object
        typed = IncubatorYear.objects.filter(incubator=n.incubator, year=n.cycle.year).first()
        return {
            "incubator_form": IncubatorForm(data, prefix="incubator", instance=n.incubator),
            "year_form": YearForm(data, prefix="year", year=n.cycle.year, instance=typed),
            "nomination_form": NominationForm(data, files, prefix="nomination", instance=n),
        }

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_forms(**self.forms())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        # Forms must not touch the instances the domain function saves: work on fresh copies.
        forms = self.forms(request.POST, request.FILES)
        incubator_form, year_form, nomination_form = forms["incubator_form"], forms["year_form"], forms["nomination_form"]
        if incubator_form.is_valid() & year_form.is_valid() & nomination_form.is_valid():
            cleaned = nomination_form.cleaned_data
            version = cleaned.get("version")
            letter = cleaned.get("letter")
            nomination = IncubatorNomination.objects.select_related("incubator", "cycle").get(pk=self.object.pk)
            try:
                nominations.update_nomination(
                    nomination=nomination, by=request.user,
                    expected_version=version if version is not None else -1,
                    figures=year_form.cleaned_data, results=cleaned["results"],
                    recommendation=cleaned.get("recommendation", ""),
                    letter=letter if isinstance(letter, UploadedFile) else None, clear_letter=letter is False,
                    incubator_changes=incubator_form.cleaned_data,
                )
            except ValidationError as e:
                self.show_domain_errors(e, [nomination_form, incubator_form, year_form])
            else:
                messages.success(request, _("Saved."))
                return redirect(nomination.get_absolute_url())
        return self.render_forms(**forms)


class NominationDetailView(PortalPermissionMixin, DetailView):
    """One nomination with its figures, tenants, support history, actions and audit trail."""

    model = IncubatorNomination
    permission_required = "incubators.view_nomination"
    template_name = "incubators/nomination_detail.html"
    context_object_name = "nomination"

    def get_queryset(self):
        return IncubatorNomination.objects.select_related("incubator", "cycle", "region", "created_by")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        n = self.object
        user = self.request.user
        ctx["performance"] = figures.performance(incubator=n.incubator, year=n.cycle.year)
        ctx["tenancies"] = figures.tenancies_in_year(n.cycle.year).filter(incubator=n.incubator).select_related("enterprise")
        ctx["actions"] = workflow.available_actions(n, user)
        ctx["transition_url"] = reverse("incubators:nomination_transition", args=[n.pk])
        ctx["can_edit"] = user.has_perm("incubators.change_nomination", n)
        ctx["can_edit_tenants"] = user.has_perm("incubators.change_incubator", n.incubator)
        ctx["missing"] = nominations.missing_for_submit(n) if n.state in (n.State.DRAFT, n.State.RETURNED) else []
        ctx["history"] = history_rows(n)
        ctx["subsidies"] = PostSubsidy.objects.filter(incubator=n.incubator).order_by("-year")
        return ctx


def history_rows(nomination):
    """The nomination's audit trail with each change named in the user's language."""
    labels = {"create": _("Created"), "edit": _("Edited"),
              **{a: str(t.label) for a, t in workflow.TRANSITIONS.items()}}
    rows = []
    for h in nomination.history.select_related("history_user").order_by("-history_date", "-history_id"):
        code, _sep, reason = (h.history_change_reason or "").partition(": ")
        rows.append({"when": h.history_date, "who": h.history_user,
                     "what": labels.get(code) or change_reason_display(code, type(nomination)),
                     "reason": reason, "state": h.get_state_display()})
    return rows


class IncubatorTransitionView(NominationTransitionView):
    """The shared transition view; submitting checks the nomination is complete (nominations.transition)."""

    model = IncubatorNomination
    permission_required = "incubators.view_nomination"
    transition_function = staticmethod(nominations.transition)


class TenantsView(NominationFormMixin, PortalPermissionMixin, DetailView):
    """The incubator's tenants that are in the portal (在孵企业), with entry and graduation dates."""

    model = Incubator
    permission_required = "incubators.change_incubator"
    template_name = "incubators/tenants.html"

    def extra_context_data(self):
        return {"incubator": self.object, "back": self.request.GET.get("next") or self.request.POST.get("next", "")}

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_forms(formset=tenancy_formset(self.object))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        formset = tenancy_formset(self.object, request.POST)
        if formset.is_valid():
            changed = formset.save(commit=False)
            if run_domain(request, nominations.save_tenancies, incubator=self.object, by=request.user,
                          changed=changed, deleted=formset.deleted_objects):
                messages.success(request, _("Tenants saved."))
                back = request.POST.get("next", "")
                if back.startswith("/") and not back.startswith("//"):
                    return HttpResponseRedirect(back)
                return redirect("incubators:tenants", pk=self.object.pk)
        return self.render_forms(formset=formset)


# ---------------------------------------------------------------- office


class OfficeNominationListView(PortalPermissionMixin, SingleTableMixin, FilterView):
    """All incubator nominations, filtered by year, region, state, kind and level."""

    permission_required = "incubators.review_nominations"
    template_name = "incubators/office_list.html"
    filterset_class = IncubatorNominationFilter
    table_class = IncubatorNominationTable
    paginate_by = 50

    def get_queryset(self):
        return office_queryset()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["export_query"] = self.request.GET.urlencode()
        return ctx


class ExportView(PortalPermissionMixin, View):
    """The filtered list as .xlsx: written at once when small, else by a background job with progress."""

    permission_required = "incubators.export_nominations"

    def get(self, request, *args, **kwargs):
        filterset = IncubatorNominationFilter(request.GET, queryset=office_queryset())
        queryset = filterset.qs
        if queryset.count() > export.EXPORT_INLINE_LIMIT:
            params = {"filters": {k: v for k, v in filterset.data.items() if k != "page"}, "language": get_language()}
            job, _created = start_job(kind="incubators.export", title=_("Export of incubator nominations"),
                                      by=request.user, task=tasks.export_nominations, params=params,
                                      origin=(reverse("incubators:office_list") + (
                                          "?" + request.GET.urlencode() if request.GET else ""),
                                          _("the incubator nominations")))
            return redirect("job", pk=job.pk)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.xlsx"
            export.write(path, queryset)
            data = path.read_bytes()
        return file_response(request, data, filename=export.filename(), subject=export.filename(),
                             category=Download.Category.EXPORT)


def _year_from(request):
    try:
        return int(request.GET.get("year") or request.POST.get("year") or 0) or None
    except ValueError:
        return None


class PostSubsidyListView(PortalPermissionMixin, TemplateView):
    """The year's post-subsidy list with each incubator's history of support, and the nominations to mark from."""

    permission_required = "incubators.view_post_subsidies"
    template_name = "incubators/post_subsidies.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = current_cycle()
        year = _year_from(self.request) or (cycle.year if cycle else None)
        ctx["year"] = year
        ctx["years"] = sorted(
            set(Cycle.objects.values_list("year", flat=True)) | set(PostSubsidy.objects.values_list("year", flat=True)),
            reverse=True,
        )
        if year is None:
            return ctx
        ctx["shown_years"], ctx["rows"] = post_subsidies.year_list(year=year)
        ctx["total"] = post_subsidies.year_total(year=year)
        marked = {r["subsidy"].incubator_id for r in ctx["rows"]}
        candidates = [n for n in post_subsidies.candidates(year=year).order_by("region__sort_order", "incubator__name")
                      if n.incubator_id not in marked]
        history = post_subsidies.support_history(incubator_ids=[n.incubator_id for n in candidates])
        ctx["candidates"] = [
            {"nomination": n, "history": sorted(history.get(n.incubator_id, {}).items(), reverse=True)} for n in candidates
        ]
        ctx["publication"] = PostSubsidyPublication.objects.filter(year=year).first()
        ctx["can_manage"] = self.request.user.has_perm("incubators.manage_post_subsidies")
        return ctx


class _OfficePost(PortalPermissionMixin, View):
    permission_required = "incubators.manage_post_subsidies"
    http_method_names = ["post"]

    def back(self, year):
        return HttpResponseRedirect(f"{reverse('incubators:post_subsidies')}?year={year}" if year else reverse("incubators:post_subsidies"))


class MarkSupportView(_OfficePost):
    def post(self, request, *args, **kwargs):
        form = MarkSupportForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for e in errors:
                    messages.error(request, e)
            return self.back(_year_from(request))
        nomination = get_object_or_404(IncubatorNomination.objects.select_related("cycle", "incubator"),
                                       pk=form.cleaned_data["nomination"])
        if run_domain(request, post_subsidies.mark_supported, nomination=nomination, by=request.user,
                      amount=form.cleaned_data["amount"], notes=form.cleaned_data["notes"]):
            messages.success(request, _("%(name)s is on the %(year)s post-subsidy list.")
                             % {"name": nomination.incubator.name, "year": nomination.cycle.year})
        return self.back(nomination.cycle.year)


class RemoveSupportView(_OfficePost):
    def post(self, request, pk, *args, **kwargs):
        subsidy = get_object_or_404(PostSubsidy.objects.select_related("incubator"), pk=pk)
        if run_domain(request, post_subsidies.remove_support, subsidy=subsidy, by=request.user,
                      reason=request.POST.get("reason", "")):
            messages.success(request, _("%(name)s was taken off the list.") % {"name": subsidy.incubator.name})
        return self.back(subsidy.year)


class PublishView(_OfficePost):
    def post(self, request, *args, **kwargs):
        year = _year_from(request)
        if year is None:
            raise Http404
        if request.POST.get("publish") == "0":
            if run_domain(request, post_subsidies.unpublish, year=year, by=request.user):
                messages.success(request, _("The %(year)s list is no longer public.") % {"year": year})
        elif run_domain(request, post_subsidies.publish, year=year, by=request.user):
            messages.success(request, _("The %(year)s list is published.") % {"year": year})
        return self.back(year)


# ---------------------------------------------------------------- public


class PublicPostSubsidyView(TemplateView):
    """The published post-subsidy list of a year; anything not published does not exist for the public."""

    template_name = "incubators/public_post_subsidies.html"
    http_method_names = ["get", "head"]

    def dispatch(self, request, *args, **kwargs):
        # Checked before the method, so an unpublished year is 404 whatever the request.
        self.publication = get_object_or_404(PostSubsidyPublication, year=kwargs["year"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        year = self.publication.year
        published = set(PostSubsidyPublication.objects.values_list("year", flat=True))
        ctx["year"] = year
        ctx["shown_years"], ctx["rows"] = post_subsidies.year_list(year=year, visible_years=published)
        ctx["total"] = post_subsidies.year_total(year=year)
        ctx["publication"] = self.publication
        ctx["other_years"] = PostSubsidyPublication.objects.filter(~Q(year=year)).values_list("year", flat=True)
        return ctx


class FromRoundView(_OfficePost):
    """The year's list by the rule from the confirmed incubator review round; then the grants in the ledger."""

    def post(self, request, *args, **kwargs):
        from .domain import subsidy_rule

        year = _year_from(request)
        cycle = get_object_or_404(Cycle, year=year) if year else None
        if cycle is None:
            raise Http404
        if request.POST.get("grants") == "1":
            if run_domain(request, subsidy_rule.propose_grants, cycle=cycle, by=request.user):
                messages.success(request, _("The grants are proposed in the ledger."))
        elif run_domain(request, subsidy_rule.list_from_round, cycle=cycle, by=request.user):
            messages.success(request, _("The %(year)s list is made by the rule from the review round.") % {"year": year})
        return self.back(year)


class SubsidyRuleView(PortalPermissionMixin, TemplateView):
    """The office: the year's post-subsidy rule (bands of rank or score, cap, unit), the year's quota and
    the line's budget, edited with an optimistic lock; the rule's history below."""

    permission_required = "incubators.manage_post_subsidies"
    template_name = "incubators/subsidy_rule.html"

    def cycle(self):
        year = _year_from(self.request)
        cycle = Cycle.objects.filter(year=year).first() if year else current_cycle()
        if cycle is None:
            raise Http404
        return cycle

    def get_context_data(self, **kwargs):
        from .domain import subsidy_rule

        ctx = super().get_context_data(**kwargs)
        cycle = self.cycle()
        rule = subsidy_rule.rule_for_year(cycle=cycle, by=self.request.user)
        budget = subsidy_rule._budget(cycle)
        ctx.update(cycle=cycle, rule=rule, budget=budget, years=Cycle.objects.order_by("-year").values_list("year", flat=True),
                   round=subsidy_rule.confirmed_round(cycle),
                   history=rule.history.select_related("history_user").order_by("-history_date")[:20])
        ctx.setdefault("form", SubsidyRuleForm(instance=rule, initial={
            "version": rule.version, "quota": cycle.incubator_quota, "budget": budget}))
        return ctx

    def post(self, request, *args, **kwargs):
        from .domain import subsidy_rule

        cycle = self.cycle()
        rule = subsidy_rule.rule_for_year(cycle=cycle, by=request.user)
        form = SubsidyRuleForm(request.POST, instance=type(rule).objects.get(pk=rule.pk))
        if form.is_valid():
            d = form.cleaned_data
            values = {f: d[f] for f in (*subsidy_rule.RULE_FIELDS, "quota", "budget", "document_no")}
            if run_domain(request, subsidy_rule.update_rule, rule=rule, values=values, version=d["version"],
                          by=request.user):
                messages.success(request, _("Saved."))
                return HttpResponseRedirect(f"{reverse('incubators:subsidy_rule')}?year={cycle.year}")
        return self.render_to_response(self.get_context_data(form=form), status=400)
