"""The office's admin for the expert review: the expert pool (with .xlsx import), rounds and their
score sheets (criteria as inlines), conflicts. State changes go through reviews.domain; what the
domain owns (phases, assignments, reviews, ranks) is read-only here.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.template import engines
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pojian.history import HistoryAdmin
from pojian.mixins import message_for

from .domain import conflicts as conflict_domain
from .models import (
    Assignment,
    Conflict,
    Criterion,
    Expert,
    Objection,
    PublicNotice,
    Review,
    ReviewItem,
    Round,
    Score,
    ScoreSheet,
)
from .rules import round_closed

IMPORT_PAGE = """{% extends "admin/base_site.html" %}{% load i18n %}
{% block content %}
<p>{% translate "Upload the expert pool as an Excel workbook (.xlsx). The first row holds the headers:" %}</p>
<p><code>{{ headers|join:" | " }}</code></p>
<p>{% translate "Nothing is imported if any row is wrong; every problem is listed with its row and column." %}</p>
<form method="post" enctype="multipart/form-data">{% csrf_token %}
{{ form.as_p }}
<input type="submit" class="default" value="{% translate 'Import' %}">
</form>
{% endblock %}"""


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Workbook (.xlsx)"))


@admin.register(Expert)
class ExpertAdmin(HistoryAdmin):
    list_display = ["name", "unit_name", "title", "get_fields_display", "region", "user", "active"]
    list_filter = ["active", "region"]
    search_fields = ["name", "unit_name", "unit_uscc", "user__username"]
    autocomplete_fields = ["user"]
    change_list_template = None

    @admin.display(description=gettext_lazy("fields of expertise"))
    def get_fields_display(self, obj):
        return obj.get_fields_display()

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="reviews_expert_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        from .domain.experts_import import HEADERS
        from .domain.jobs import start_expert_import

        if not request.user.has_perm("reviews.import_experts"):
            raise PermissionDenied
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job, _created = start_expert_import(upload=form.cleaned_data["file"], by=request.user)
            except (ValidationError, PermissionDenied) as e:
                form.add_error("file", message_for(e))
            else:
                return redirect(reverse("job", args=[job.pk]))
        template = engines["django"].from_string(IMPORT_PAGE)
        context = {**self.admin_site.each_context(request), "title": _("Import the expert pool"), "form": form,
                   "headers": HEADERS, "opts": self.model._meta}
        return TemplateResponse(request, template, context)

    def changelist_view(self, request, extra_context=None):
        if request.user.has_perm("reviews.import_experts"):
            messages.info(request, _("To import the expert pool from Excel, open: %(url)s") % {
                "url": reverse("admin:reviews_expert_import")})
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A new or changed work unit may be a conflict with a nominee under review.
        transaction.on_commit(lambda: conflict_domain.detect_for_expert(obj, by=request.user))


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    fields = ["order", "name", "max_score", "weight", "guidance"]


@admin.register(ScoreSheet)
class ScoreSheetAdmin(HistoryAdmin):
    list_display = ["title", "round"]
    inlines = [CriterionInline]

    def has_change_permission(self, request, obj=None):
        # The sheet is fixed once scoring has started: totals already given depend on it (the portal's
        # score sheet page edits and copies sheets with the rules of reviews.domain.sheets).
        from .domain.sheets import sheet_locked

        if obj is not None and sheet_locked(obj.round):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


class ScoreSheetInline(admin.StackedInline):
    model = ScoreSheet
    extra = 0
    show_change_link = True
    fields = ["title", "instructions"]


@admin.register(Round)
class RoundAdmin(HistoryAdmin):
    list_display = ["__str__", "cycle", "kind", "phase", "experts_per_item", "max_load", "aggregation", "normalise"]
    list_filter = ["phase", "kind", "cycle"]
    readonly_fields = ["phase", "scoring_opens", "closed_at", "assignment_confirmed_at", "ranked_at",
                       "results_confirmed_at", "results_confirmed_by"]
    inlines = [ScoreSheetInline]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["cycle", "kind"]
            if obj.phase != Round.Phase.ASSIGNMENT:
                fields += ["experts_per_item", "max_load"]
            if obj.phase == Round.Phase.CLOSED:
                fields += ["aggregation", "normalise"]
        return fields


@admin.register(ReviewItem)
class ReviewItemAdmin(HistoryAdmin):
    list_display = ["nominee_name", "round", "region", "industry", "aggregate_if_closed", "rank", "selected", "overridden"]
    list_filter = ["round", "region", "selected", "overridden"]
    search_fields = ["nominee_name", "nominee_uscc"]
    list_select_related = ["round", "region"]

    # A round reopened for scoring keeps its last ranking; its scores stay hidden (reviews.view_scores)
    # until it closes again.
    @admin.display(description=gettext_lazy("aggregate score"))
    def aggregate_if_closed(self, obj):
        # The changelist gives no request here; the admin is the office's, so the round's state decides.
        return obj.aggregate if round_closed(None, obj) else None

    @staticmethod
    def _scores_shown(request, obj):
        return obj is None or request.user.has_perm("reviews.view_scores", obj.round)

    def get_readonly_fields(self, request, obj=None):
        hidden = set() if self._scores_shown(request, obj) else {"aggregate"}
        return [f.name for f in self.model._meta.fields if f.name not in hidden]

    def get_exclude(self, request, obj=None):
        return super().get_exclude(request, obj) if self._scores_shown(request, obj) else ["aggregate"]

    def has_add_permission(self, request):
        return False


@admin.action(description=gettext_lazy("Confirm the selected conflicts"))
def confirm_conflicts(modeladmin, request, queryset):
    done = 0
    for conflict in queryset.exclude(status=Conflict.Status.CONFIRMED):
        try:
            conflict_domain.confirm_conflict(conflict=conflict, by=request.user)
            done += 1
        except (ValidationError, PermissionDenied) as e:
            modeladmin.message_user(request, f"{conflict}: {message_for(e)}", messages.WARNING)
    modeladmin.message_user(request, _("%(n)d conflicts confirmed.") % {"n": done}, messages.SUCCESS)


class ConflictForm(forms.ModelForm):
    class Meta:
        model = Conflict
        fields = ["expert", "nominee_uscc", "nominee_name", "kind", "reason"]


@admin.register(Conflict)
class ConflictAdmin(HistoryAdmin):
    list_display = ["expert", "nominee_name", "nominee_uscc", "kind", "source", "status", "created_at"]
    list_filter = ["status", "source", "kind"]
    search_fields = ["expert__name", "nominee_name", "nominee_uscc"]
    actions = [confirm_conflicts]
    autocomplete_fields = ["expert"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ConflictForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in self.model._meta.fields]

    def save_model(self, request, obj, form, change):
        if change:
            return
        # The office records a conflict: through the domain (confirmed; live assignments withdrawn).
        try:
            saved = conflict_domain.record_conflict(
                expert=obj.expert, kind=obj.kind, source=Conflict.Source.OFFICE, by=request.user, reason=obj.reason,
                nominee_uscc=obj.nominee_uscc, nominee_name=obj.nominee_name,
            )
        except ValidationError as e:
            self.message_user(request, message_for(e), messages.ERROR)
            return
        obj.pk = saved.pk


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0
    can_delete = False
    readonly_fields = ["criterion", "value", "comment"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assignment)
class AssignmentAdmin(HistoryAdmin):
    list_display = ["item", "expert", "state", "progress", "matched", "submitted_at"]
    list_filter = ["item__round", "state", "progress", "matched"]
    search_fields = ["item__nominee_name", "expert__name"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Review)
class ReviewAdmin(HistoryAdmin):
    """Scores are shown only for closed rounds (reviews.view_scores): while experts score, nobody sees them."""

    list_display = ["assignment", "total", "recommendation", "updated_at"]
    list_filter = ["assignment__item__round", "recommendation"]
    inlines = [ScoreInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(assignment__item__round__phase=Round.Phase.CLOSED)

    @staticmethod
    def _hidden(request, obj):
        return obj is not None and not request.user.has_perm("reviews.view_scores", obj.assignment.item.round)

    def has_view_permission(self, request, obj=None):
        return not self._hidden(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        # Also closes the history pages (simple-history lets "change" in) while the round is not closed.
        return not self._hidden(request, obj) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PublicNotice)
class PublicNoticeAdmin(HistoryAdmin):
    list_display = ["title", "round", "starts", "ends", "published_by"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Objection)
class ObjectionAdmin(HistoryAdmin):
    list_display = ["item", "objector", "received_on", "outcome", "decided_at"]
    list_filter = ["outcome"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
