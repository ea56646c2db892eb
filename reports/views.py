"""Pages: the office's dashboard, the annual reports (start, watch, download, schedule), the
public progress page. Thin: the domain functions do the work; every view names its permission."""

import io

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.domain.xlsx import write_workbook
from pojian.downloads import file_response
from pojian.mixins import PortalPermissionMixin, message_for, run_domain
from pojian.models import Cycle, Download

from .domain import annual, public, schedules
from .domain.dashboard import KEYS, Dashboard
from .forms import ReleaseForm, ReportRequestForm, ScheduleForm
from .models import AnnualReport, ProgressRelease


def cycle_from(request):
    """The year asked for (?year=), else the current one; None when there is none."""
    year = request.GET.get("year", "")
    if year.isdigit():
        cycle = Cycle.objects.filter(year=int(year)).first()
        if cycle is None:
            raise Http404(_("There is no such programme year."))
        return cycle
    return Cycle.objects.current() or Cycle.objects.order_by("-year").first()


# --- dashboard -----------------------------------------------------------------------------------


class DashboardView(PortalPermissionMixin, TemplateView):
    """The office's statistics for a year (the current one by default): aggregates only."""

    permission_required = "reports.view_dashboard"
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = ctx["cycle"] = cycle_from(self.request)
        ctx["years"] = list(Cycle.objects.order_by("-year").values_list("year", flat=True))
        ctx["sections"] = Dashboard(cycle).sections() if cycle is not None else []
        ctx["release"] = ProgressRelease.objects.filter(cycle=cycle).order_by("-released_at").first() if cycle else None
        ctx["release_form"] = ReleaseForm()
        return ctx


class DashboardXlsxView(PortalPermissionMixin, View):
    """One dashboard section (or all of them) as an .xlsx workbook."""

    permission_required = "reports.view_dashboard"

    def get(self, request, key):
        if key != "all" and key not in KEYS:
            raise Http404(_("There is no such table."))
        cycle = cycle_from(request)
        if cycle is None:
            raise Http404(_("No programme year yet."))
        buffer = io.BytesIO()
        write_workbook(buffer, Dashboard(cycle).sheets(None if key == "all" else [key]))
        name = _("statistics-%(year)s-%(key)s.xlsx") % {"year": cycle.year, "key": key}
        return file_response(request, buffer.getvalue(), filename=name, subject=name, category=Download.Category.EXPORT)



class ReleaseProgressView(PortalPermissionMixin, FormView):
    """The office releases the year's progress figures to the public page (a snapshot)."""

    permission_required = "reports.release_progress"
    form_class = ReleaseForm
    http_method_names = ["post"]

    def form_valid(self, form):
        cycle = cycle_from(self.request)
        if cycle is None:
            raise Http404(_("No programme year yet."))
        if run_domain(self.request, public.release_progress, cycle=cycle, by=self.request.user, note=form.cleaned_data["note"]):
            messages.success(self.request, _("The progress figures are now on the public page."))
        return redirect(f"{reverse('reports:dashboard')}?year={cycle.year}")

    def form_invalid(self, form):
        messages.error(self.request, _("Please correct the note."))
        return redirect("reports:dashboard")


# --- annual reports ------------------------------------------------------------------------------


class ReportListView(PortalPermissionMixin, ListView):
    """The annual reports made so far (a bureau: only its own region's); the office also starts and schedules them."""

    permission_required = "reports.list_reports"
    template_name = "reports/report_list.html"
    context_object_name = "reports"
    paginate_by = 30

    def get_queryset(self):
        qs = AnnualReport.objects.select_related("cycle", "region", "requested_by", "job")
        user = self.request.user
        if not user.has_perm("reports.request_report"):
            qs = qs.filter(region_id=user.region_id, region__isnull=False)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_request"] = user.has_perm("reports.request_report")
        if ctx["can_request"]:
            ctx["form"] = ReportRequestForm()
            ctx["schedules"] = [{"task": t, **schedules.describe(t)} for t in schedules.schedules()]
            ctx["digest"] = schedules.digest_schedule()
            if user.has_perm("finance.manage_settings"):
                ctx["digest_settings_url"] = reverse("finance:digest_settings")
            for report in ctx["reports"]:
                report.rerunnable = annual.can_rerun(report)
        return ctx


class ReportRequestView(PortalPermissionMixin, FormView):
    """Start a report (or join the one already running for the same year and scope), then watch its progress."""

    permission_required = "reports.request_report"
    form_class = ReportRequestForm
    http_method_names = ["post"]

    def form_valid(self, form):
        try:
            region = annual.region_for(form.cleaned_data["region"])
        except ValidationError as e:
            messages.error(self.request, " ".join(e.messages))
            return redirect("reports:reports")
        result = {}

        def go():
            result["report"], result["created"] = annual.request_report(
                year=form.cleaned_data["year"], region=region, by=self.request.user)

        if not run_domain(self.request, go):
            return redirect("reports:reports")
        if not result["created"]:
            messages.info(self.request, _("This report is already being generated: here is its progress."))
        return redirect("job", result["report"].job_id)

    def form_invalid(self, form):
        messages.error(self.request, _("Choose a year and a region."))
        return redirect("reports:reports")


class ReportRerunView(PortalPermissionMixin, DetailView):
    """Run a report again whose job failed or whose worker stopped."""

    permission_required = "reports.request_report"
    model = AnnualReport
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        report = self.get_object()
        if run_domain(request, annual.rerun_report, report, by=request.user):
            return redirect("job", report.job_id)
        return redirect("reports:reports")


class ReportDownloadView(PortalPermissionMixin, DetailView):
    """A finished report's PDF or workbook (the office: any; a bureau: its own region's)."""

    permission_required = "reports.view_report"
    model = AnnualReport
    kind = "pdf"

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        file = report.pdf if self.kind == "pdf" else report.xlsx
        if not file:
            raise Http404(_("This report has no file yet."))
        return file_response(request, file, filename=report.file_name(self.kind), subject=str(report),
                             category=Download.Category.EXPORT, obj=report)


# --- schedules -----------------------------------------------------------------------------------


class ScheduleFormView(PortalPermissionMixin, FormView):
    """Create or change a report schedule (django-celery-beat)."""

    permission_required = "reports.manage_schedules"
    form_class = ScheduleForm
    template_name = "reports/schedule_form.html"

    def get_task(self):
        if "pk" not in self.kwargs:
            return None
        try:
            return schedules.get_schedule(self.kwargs["pk"])
        except Exception:  # noqa: BLE001 - DoesNotExist of the beat model
            raise Http404(_("There is no such schedule.")) from None

    def get_initial(self):
        task = self.get_task()
        if task is None:
            return {"name": _("Monthly province report"), "frequency": "monthly"}
        return {**schedules.options(task), "edit_token": schedules.edit_token(task)}

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["task"] = self.get_task()
        return ctx

    def form_valid(self, form):
        data = {**form.cleaned_data}
        based_on = data.pop("edit_token", "")
        try:
            schedules.save_schedule(by=self.request.user, task=self.get_task(), based_on=based_on, **data)
        except StaleEdit as e:  # a form error, as on every other edit page: what changed, and by whom
            form.add_error(None, e)
            return self.form_invalid(form)
        except (ValidationError, PermissionDenied) as e:
            messages.error(self.request, message_for(e))
            return self.form_invalid(form)
        messages.success(self.request, _("The schedule is saved."))
        return redirect("reports:reports")


class ScheduleDeleteView(PortalPermissionMixin, View):
    permission_required = "reports.manage_schedules"
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            task = schedules.get_schedule(pk)
        except Exception:  # noqa: BLE001
            raise Http404(_("There is no such schedule.")) from None
        if run_domain(request, schedules.delete_schedule, task, by=request.user):
            messages.success(request, _("The schedule is deleted."))
        return HttpResponseRedirect(reverse("reports:reports"))


# --- public --------------------------------------------------------------------------------------


class PublicProgressView(PortalPermissionMixin, TemplateView):
    """The public progress page: only what the office has released."""

    permission_required = "reports.view_public_progress"
    template_name = "reports/public_progress.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        cycle = ctx["cycle"] = cycle_from(self.request)
        ctx["years"] = list(Cycle.objects.order_by("-year").values_list("year", flat=True))
        ctx["today"] = timezone.localdate()
        if cycle is not None:
            ctx.update(public.public_progress(cycle=cycle))
        return ctx


# --- a city bureau's dashboard --------------------------------------------------------------------


class BureauDashboardView(PortalPermissionMixin, TemplateView):
    """A region's figures, this year beside last year, and its standing in the published assessment.

    A city bureau sees its own region; asking for another (?region=) is refused. The office may open any
    nominating unit's, offered in a list (the first one by default).
    """

    permission_required = "reports.view_bureau_dashboard"
    template_name = "reports/bureau_dashboard.html"

    def get_permission_object(self):
        return self.get_region()

    def get_region(self):
        if not hasattr(self, "_region"):
            from pojian.models import Region

            regions = Region.objects.nominating()
            asked = self.request.GET.get("region", "")
            user = self.request.user
            if asked.isdigit():
                self._region = regions.filter(pk=int(asked)).first()
                if self._region is None:
                    raise Http404(_("There is no such region."))
            elif getattr(user, "region_id", None):
                self._region = regions.filter(pk=user.region_id).first()
            else:
                self._region = regions.filter(active=True).first() if user.has_perm("reports.view_dashboard") else None
        return self._region

    def get_context_data(self, **kwargs):
        from pojian.models import Region

        from .domain import bureau

        ctx = super().get_context_data(**kwargs)
        region = ctx["region"] = self.get_region()
        cycle = ctx["cycle"] = cycle_from(self.request)
        ctx.update(bureau.dashboard(region, cycle))
        if self.request.user.has_perm("reports.view_dashboard"):
            ctx["regions"] = Region.objects.nominating()
        return ctx


class BureauDashboardXlsxView(BureauDashboardView):
    """The same region's figures as an .xlsx workbook: the page's rule and choice of region and year."""

    def get(self, request, *args, **kwargs):
        from .domain import bureau

        region = self.get_region()
        if region is None:
            raise Http404(_("There is no region to show yet."))
        cycle = cycle_from(request)
        buffer = io.BytesIO()
        write_workbook(buffer, bureau.sheets(region, cycle))
        name = _("region-figures-%(region)s-%(year)s.xlsx") % {"region": region.code,
                                                               "year": cycle.year if cycle else ""}
        return file_response(request, buffer.getvalue(), filename=name, subject=name, category=Download.Category.EXPORT)
