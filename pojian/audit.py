"""The office's page of the download audit: filters, a table, and the filtered rows as .xlsx."""

import django_filters
import django_tables2 as tables
from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .domain import audit_downloads
from .domain.xlsx import write_workbook
from .downloads import file_response
from .mixins import PortalPermissionMixin
from .models import Download

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EXPORT_LIMIT = 200_000  # rows in one workbook; narrow the filters for more


class DownloadFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("User, document or file name"), method="search")
    category = django_filters.ChoiceFilter(label=gettext_lazy("Kind"), choices=Download.Category.choices)
    since = django_filters.DateFilter(label=gettext_lazy("From"), field_name="at", lookup_expr="date__gte", widget=DATE)
    until = django_filters.DateFilter(label=gettext_lazy("Until"), field_name="at", lookup_expr="date__lte", widget=DATE)

    class Meta:
        model = Download
        fields = ["q", "category", "since", "until"]

    def search(self, queryset, name, value):
        return audit_downloads.search(queryset, value)


class DownloadTable(tables.Table):
    at = tables.DateTimeColumn(verbose_name=gettext_lazy("Time"), format="Y-m-d H:i:s")
    username = tables.Column(verbose_name=gettext_lazy("User"))
    category = tables.Column(verbose_name=gettext_lazy("Kind"))
    subject = tables.Column(verbose_name=gettext_lazy("What"), attrs={"td": {"class": "text-break"}})
    file_name = tables.Column(verbose_name=gettext_lazy("File name"), attrs={"td": {"class": "text-break small"}})

    class Meta:
        model = Download
        fields = ["at", "username", "category", "subject", "file_name"]
        template_name = "django_tables2/bootstrap5-responsive.html"
        attrs = {"class": "table table-sm table-striped", "data-testid": "downloads"}


def filtered(request):
    return DownloadFilter(request.GET or None, queryset=Download.objects.all())


class DownloadAuditView(PortalPermissionMixin, SingleTableMixin, FilterView):
    """Who fetched which file or list, and when (the office only)."""

    permission_required = "pojian.view_download_audit"
    template_name = "pojian/download_audit.html"
    filterset_class = DownloadFilter
    table_class = DownloadTable
    paginate_by = 50
    strict = True

    def get_queryset(self):
        return Download.objects.all()

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "query": self.request.GET.urlencode()}


class DownloadAuditExportView(PortalPermissionMixin, View):
    """The filtered audit as .xlsx (itself recorded in the audit)."""

    permission_required = "pojian.view_download_audit"

    def get(self, request):
        fs = filtered(request)
        rows_qs = fs.qs if fs.is_valid() else Download.objects.none()
        labels = dict(Download.Category.choices)

        def rows():
            for d in rows_qs.order_by("-at", "-pk")[:EXPORT_LIMIT].iterator(chunk_size=2000):
                yield [timezone.localtime(d.at), d.username, str(labels.get(d.category, d.category)), d.subject,
                       d.file_name, d.path]

        import io

        buffer = io.BytesIO()
        headers = [_("Time"), _("User"), _("Kind"), _("What"), _("File name"), _("Address")]
        write_workbook(buffer, [(_("Downloads"), headers, rows(), [20, 16, 14, 50, 36, 40])])
        name = _("downloads-%(date)s.xlsx") % {"date": timezone.localdate().isoformat()}
        return file_response(request, buffer.getvalue(), filename=name, subject=_("Download audit"),
                             category=Download.Category.EXPORT)
