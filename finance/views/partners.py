"""The cooperation list, the settings, and the partner digests."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from pojian.domain.errors import ValidationError
from pojian.domain.jobs import send_on_commit
from pojian.mixins import message_for
from pojian.models import NominationState

from .. import tasks
from ..domain import digests as digest_domain
from ..domain import investments as investment_domain
from ..domain import partnerships as domain
from ..forms import DigestSettingsForm, FinanceSettingsForm, PartnershipForm
from ..models import Digest, DigestSettings, FinanceInstitution, FinanceNomination, FinanceSettings, Partnership
from .common import FinancePermissionMixin, current_cycle, is_office, xlsx_response


class OfficeIndexView(FinancePermissionMixin, View):
    """The office's starting point for everything finance."""

    permission_required = "finance.view_office_pages"

    def get(self, request):
        from django.shortcuts import render

        cycle = current_cycle()
        by_state = {}
        if cycle is not None:
            by_state = dict(FinanceNomination.objects.filter(cycle=cycle).values_list("state").annotate(n=Count("pk")).order_by())
        return render(request, "finance/office_index.html", {
            "cycle": cycle,
            "states": [(label, by_state[code]) for code, label in NominationState.choices if by_state.get(code)],
            "partners": domain.partners_for_year(cycle.year).count() if cycle else 0,
            "institutions": FinanceInstitution.objects.count(),
            "last_digest": Digest.objects.order_by("-date", "-prepared_at").first(),
            "settings": DigestSettings.load(),
        })


class PartnershipListView(FinancePermissionMixin, FormView):
    permission_required = "finance.manage_partnerships"
    template_name = "finance/partnership_list.html"
    form_class = PartnershipForm

    def get_initial(self):
        cycle = current_cycle()
        return {"years": str(cycle.year)} if cycle else {}

    def get_context_data(self, **kwargs):
        rows = Partnership.objects.select_related("institution", "institution__region", "added_by")
        years = {}
        for row in rows:
            years.setdefault(row.year, []).append(row)
        from ..models import FinanceYear

        cycle = current_cycle()
        year_row = FinanceYear.objects.filter(cycle=cycle).first() if cycle else None
        quota = year_row.partner_quota if year_row else FinanceYear._meta.get_field("partner_quota").default
        return {**super().get_context_data(**kwargs), "years": sorted(years.items(), reverse=True),
                "cycle": cycle, "quota": quota}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            domain.add_partnership(institution=d["institution"], years=d["years"], note=d["note"], by=self.request.user)
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, message_for(e))
            return self.form_invalid(form)
        messages.success(self.request, _("%(name)s is on the cooperation list for %(years)s.") % {
            "name": d["institution"].name, "years": ", ".join(map(str, d["years"]))})
        return redirect(reverse("finance:partnership_list"))


class PartnershipRemoveView(FinancePermissionMixin, DetailView):
    permission_required = "finance.manage_partnerships"
    model = Partnership
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        row = self.get_object()
        domain.remove_partnership(row, by=request.user)
        messages.success(request, _("%(name)s removed from the cooperation list for %(year)s.") % {
            "name": row.institution.name, "year": row.year})
        return redirect(reverse("finance:partnership_list"))


class FinanceSettingsView(FinancePermissionMixin, FormView):
    """投早投小 limits."""

    permission_required = "finance.manage_settings"
    template_name = "finance/settings.html"
    form_class = FinanceSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": FinanceSettings.load()}

    def form_valid(self, form):
        row = form.save(commit=False)
        row._history_user = self.request.user
        with transaction.atomic():
            row.save()
            if form.cleaned_data["reclassify"]:
                n = investment_domain.reclassify()
                messages.info(self.request, _("%(n)d investments were classified differently.") % {"n": n})
        messages.success(self.request, _("Settings saved."))
        return redirect(reverse("finance:settings"))


class DigestSettingsView(FinancePermissionMixin, FormView):
    """What partners receive and when (the django-celery-beat schedule is kept in line)."""

    permission_required = "finance.manage_settings"
    template_name = "finance/digest_settings.html"
    form_class = DigestSettingsForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": DigestSettings.load()}

    def form_valid(self, form):
        row = form.save(commit=False)
        digest_domain.save_settings(row, by=self.request.user, regions=form.cleaned_data["regions"])
        messages.success(self.request, _("Digest settings saved."))
        return redirect(reverse("finance:digest_settings"))

    def get_context_data(self, **kwargs):
        from django_celery_beat.models import PeriodicTask

        return {**super().get_context_data(**kwargs),
                "task": PeriodicTask.objects.filter(name=digest_domain.TASK_NAME).select_related("crontab").first()}


class DigestPrepareView(FinancePermissionMixin, View):
    """The office prepares today's digests now, besides the schedule."""

    permission_required = "finance.manage_settings"
    http_method_names = ["post"]

    def post(self, request):
        cycle = current_cycle()
        if cycle is None:
            messages.error(request, _("No programme year is current."))
        else:
            send_on_commit(tasks.prepare_digests, cycle.pk)
            messages.success(request, _("The digests are being prepared; partners are told when they are ready."))
        return redirect(reverse("finance:digest_list"))


class DigestListView(FinancePermissionMixin, ListView):
    permission_required = "finance.list_digests"
    template_name = "finance/digest_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Digest.objects.select_related("institution", "cycle")
        if not is_office(self.request.user):
            qs = qs.filter(institution__users=self.request.user)
        return qs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "office": is_office(self.request.user)}


class DigestDetailView(FinancePermissionMixin, DetailView):
    model = Digest
    permission_required = "finance.view_digest"
    template_name = "finance/digest_detail.html"
    context_object_name = "digest"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "headers": digest_domain.headers(self.object),
                "figures_label": digest_domain.figures_label(self.object),
                "rows": digest_domain.display_rows(self.object)}


class DigestDownloadView(FinancePermissionMixin, DetailView):
    model = Digest
    permission_required = "finance.view_digest"

    def get(self, request, *args, **kwargs):
        digest = self.get_object()
        return xlsx_response(request, lambda f: digest_domain.write_digest(f, digest), digest_domain.digest_filename(digest))


class PartnershipFromRoundView(FinancePermissionMixin, View):
    """The office: the year's quota, then the cooperation list from the confirmed finance review round."""

    permission_required = "finance.manage_partnerships"
    http_method_names = ["post"]

    def post(self, request):
        cycle = current_cycle()
        if cycle is None:
            messages.error(request, _("There is no current programme year."))
            return redirect(reverse("finance:partnership_list"))
        try:
            with transaction.atomic():
                domain.set_quota(cycle=cycle, quota=request.POST.get("quota", ""), by=request.user)
                rows = domain.list_from_round(cycle=cycle, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
        else:
            messages.success(request, _("%(n)s institutions are on the %(year)s cooperation list from the review round.")
                             % {"n": len(rows), "year": cycle.year})
        return redirect(reverse("finance:partnership_list"))
