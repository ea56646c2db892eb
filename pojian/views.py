from django import forms
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, TemplateView, UpdateView

from .downloads import file_response
from .mixins import PortalPermissionMixin
from .models import Cycle, Download, Job, Nomination, Region, User
from .panels import home_panels


def landing(request):
    """The public front page: the programme, and a way in."""
    return render(request, "pojian/landing.html")


def nomination_models():
    """Every concrete kind of nomination the installed apps define."""
    return [m for m in apps.get_models() if issubclass(m, Nomination)]


def nomination_counts(cycle, region=None):
    """{kind verbose name: {state: count}} for a year, optionally for one region: one query a kind."""
    result = []
    if cycle is None:
        return result
    for model in nomination_models():
        qs = model.objects.filter(cycle=cycle)
        if region is not None:
            qs = qs.filter(region=region)
        by_state = dict(qs.values_list("state").annotate(n=Count("pk")).order_by())
        result.append({"kind": model._meta.verbose_name_plural, "by_state": by_state, "total": sum(by_state.values())})
    return result


class HomeView(PortalPermissionMixin, TemplateView):
    """Each role's starting page. Any signed-in user may open it; what it shows depends on the role."""

    permission_required = ()

    def has_permission(self):
        return self.request.user.is_authenticated

    def get_template_names(self):
        role = self.request.user.role or (User.Role.OFFICE if self.request.user.is_superuser else "")
        return [f"pojian/home_{role}.html" if role else "pojian/home_other.html"]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        cycle = ctx["cycle"] = self._cycle()
        ctx["notifications"] = user.notifications.all()[:10]
        ctx["states"] = Nomination.State.choices
        if user.role == User.Role.BUREAU:
            ctx["region"] = user.region
            ctx["counts"] = nomination_counts(cycle, user.region)
        elif user.role == User.Role.OFFICE or user.is_superuser:
            ctx["counts"] = nomination_counts(cycle)
            ctx["regions"] = Region.objects.nominating().filter(active=True)
        ctx["home_panels"] = home_panels(self.request, cycle)
        return ctx

    def _cycle(self):
        from .models import Cycle

        return Cycle.objects.current()


class HealthView(PortalPermissionMixin, TemplateView):
    """Database, broker and worker status, for the office."""

    permission_required = "pojian.view_health"
    template_name = "pojian/health.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["checks"] = [check_database(), check_broker(), check_worker()]
        ctx["healthy"] = all(c["ok"] for c in ctx["checks"])
        return ctx


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"name": _("Database"), "ok": True, "detail": connection.vendor}
    except Exception as e:  # noqa: BLE001 - the page reports any failure
        return {"name": _("Database"), "ok": False, "detail": str(e)}


def check_broker():
    from .celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"name": _("Task broker"), "ok": True, "detail": _("No broker: tasks run in-process")}
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"name": _("Task broker"), "ok": True, "detail": settings.CELERY_BROKER_URL.split("@")[-1]}
    except Exception as e:  # noqa: BLE001
        return {"name": _("Task broker"), "ok": False, "detail": str(e)}


def check_worker():
    from .celery import app

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"name": _("Task workers"), "ok": True, "detail": _("No broker: tasks run in-process")}
    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception as e:  # noqa: BLE001
        return {"name": _("Task workers"), "ok": False, "detail": str(e)}
    if not replies:
        return {"name": _("Task workers"), "ok": False, "detail": _("No worker answered")}
    return {"name": _("Task workers"), "ok": True, "detail": ", ".join(sorted(k for r in replies for k in r))}


class JobView(PortalPermissionMixin, DetailView):
    """A background job's page: a progress bar that polls until the job ends, then its result."""

    model = Job
    permission_required = "pojian.view_job"
    template_name = "pojian/job.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["pojian/_job_progress.html"]
        return [self.template_name]


class JobDownloadView(PortalPermissionMixin, DetailView):
    model = Job
    permission_required = "pojian.view_job"

    def get(self, request, *args, **kwargs):
        job = self.get_object()
        if not job.result_file:
            raise Http404(_("This job has no file to download."))
        return file_response(request, job.result_file, filename=job.result_name or f"job-{job.pk}",
                             subject=job.title, category=Download.Category.EXPORT, obj=job)


def server_error(request):
    """The Chinese 500 page in the site's layout; without the context processors if they fail too."""
    from django.http import HttpResponseServerError
    from django.template.loader import render_to_string

    try:
        html = render_to_string("500.html", request=request)
    except Exception:  # noqa: BLE001 - the database may be what failed: render without it
        html = render_to_string("500.html")
    return HttpResponseServerError(html)


def csrf_failure(request, reason=""):
    """A form sent with a stale or missing CSRF token: say so in the user's language, with a way back."""
    from django.middleware.csrf import REASON_NO_CSRF_COOKIE
    from django.utils.http import url_has_allowed_host_and_scheme

    referer = request.META.get("HTTP_REFERER", "")
    back_url = referer if url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}) else ""
    context = {"no_cookie": reason == REASON_NO_CSRF_COOKIE, "back_url": back_url}
    return render(request, "403_csrf.html", context, status=403)


class NotificationSettingsView(PortalPermissionMixin, UpdateView):
    """Each user chooses: one e-mail per notification, or one daily digest."""

    permission_required = ()
    template_name = "pojian/notification_settings.html"
    fields = ["email_digest"]

    def has_permission(self):
        return self.request.user.is_authenticated

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        from django.contrib import messages

        response = super().form_valid(form)
        messages.success(self.request, _("Your notification settings were saved."))
        return response

    def get_success_url(self):
        from django.urls import reverse

        return reverse("notification_settings")


class CycleForm(forms.ModelForm):
    """The year's window and quotas (the office's page; validated again by domain.cycle.save_cycle)."""

    class Meta:
        model = Cycle
        fields = ["year", "nomination_opens", "nomination_closes", "enterprise_quota", "incubator_quota", "status"]
        widgets = {
            "nomination_opens": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "nomination_closes": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        }

    def validate_unique(self):
        pass  # save_cycle says which year exists already, in the user's words

    def _post_clean(self):
        pass  # the model's constraints are checked by save_cycle, with messages per field


class CycleListView(PortalPermissionMixin, TemplateView):
    """Every programme year, for the office: open a new one or change one's window and quotas."""

    permission_required = "pojian.manage_cycle"
    template_name = "pojian/cycle_list.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "cycles": Cycle.objects.order_by("-year")}


class CycleFormView(PortalPermissionMixin, TemplateView):
    """Open a programme year (no pk) or edit one: window, quotas, status; with its history."""

    permission_required = "pojian.manage_cycle"
    template_name = "pojian/cycle_form.html"

    def get_cycle(self):
        from django.shortcuts import get_object_or_404

        return get_object_or_404(Cycle, pk=self.kwargs["pk"]) if "pk" in self.kwargs else None

    def get_context_data(self, form=None, **kwargs):
        cycle = self.get_cycle()
        history = cycle.history.select_related("history_user").order_by("-history_date")[:30] if cycle else []
        return {**super().get_context_data(**kwargs), "cycle": cycle, "history": history,
                "form": form or CycleForm(instance=cycle)}

    def post(self, request, *args, **kwargs):
        from django.contrib import messages
        from django.shortcuts import redirect

        from .domain.cycle import CYCLE_FIELDS, save_cycle
        from .domain.errors import PermissionDenied, ValidationError

        cycle = self.get_cycle()
        form = CycleForm(request.POST, instance=cycle)
        if form.is_valid():
            try:
                cycle = save_cycle(by=request.user, cycle=self.get_cycle(),
                                   **{name: form.cleaned_data[name] for name in CYCLE_FIELDS})
            except ValidationError as e:
                if hasattr(e, "error_dict"):
                    for field, errors in e.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, e.messages)
            except PermissionDenied as e:
                form.add_error(None, str(e))
            else:
                messages.success(request, _("The programme year %(year)s was saved.") % {"year": cycle.year})
                return redirect("cycle_edit", pk=cycle.pk)
        return self.render_to_response(self.get_context_data(form=form))
