from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .history import HistoryAdmin
from .models import CalendarDay, CalendarYear, Cycle, Job, Notification, Region, User


@admin.register(Region)
class RegionAdmin(HistoryAdmin):
    list_display = ["code", "name", "kind", "bureau_name", "active"]
    list_filter = ["kind", "active"]
    list_editable = ["active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin, HistoryAdmin):
    list_display = ["username", "full_name", "role", "region", "email", "is_active"]
    list_filter = ["role", "region", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Programme role"), {"fields": ("role", "region", "full_name", "phone")}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Programme role"), {"fields": ("role", "region", "full_name")}),)


@admin.register(Cycle)
class CycleAdmin(HistoryAdmin):
    list_display = ["year", "status", "is_current", "nomination_opens", "nomination_closes", "enterprise_quota", "incubator_quota"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        # A closed year is read-only: its results are the record.
        if obj is not None and obj.is_closed:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        from .domain.cycle import make_current

        if obj.is_current:
            make_current(obj, by=request.user)  # unsets the previous current year first
        else:
            super().save_model(request, obj, form, change)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "subject", "created_at", "read_at", "emailed_at"]
    list_filter = ["created_at"]
    search_fields = ["subject", "user__username"]
    readonly_fields = ["created_at"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "progress", "total", "created_by", "created_at", "finished_at"]
    list_filter = ["status", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]


@admin.register(CalendarYear)
class CalendarYearAdmin(HistoryAdmin):
    list_display = ["year", "source", "created_at"]


@admin.register(CalendarDay)
class CalendarDayAdmin(HistoryAdmin):
    list_display = ["day", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "day"
    search_fields = ["name"]


# --- django-celery-beat's periodic tasks, shown by what they do rather than by their code names ---

from django_celery_beat import admin as beat_admin  # noqa: E402  (registers its admin first)
from django_celery_beat.models import PeriodicTask  # noqa: E402

from .third_party import PERIODIC_TASK_LABELS, periodic_task_label  # noqa: E402


class LabelledTaskSelectWidget(beat_admin.TaskSelectWidget):
    """The registered tasks to choose from, each with its label before its code name."""

    def tasks_as_choices(self):
        return tuple(
            (code, f"{periodic_task_label(code)}（{code}）" if code in PERIODIC_TASK_LABELS else code)
            for code, _code in super().tasks_as_choices()
        )


class LabelledPeriodicTaskForm(beat_admin.PeriodicTaskForm):
    regtask = beat_admin.TaskChoiceField(label=_("Task (registered)"), required=False, widget=LabelledTaskSelectWidget)


class TaskLabelFilter(admin.SimpleListFilter):
    title = _("Task")
    parameter_name = "task"

    def lookups(self, request, model_admin):
        codes = model_admin.get_queryset(request).order_by("task").values_list("task", flat=True).distinct()
        return [(code, periodic_task_label(code)) for code in codes]

    def queryset(self, request, queryset):
        return queryset.filter(task=self.value()) if self.value() else queryset


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(beat_admin.PeriodicTaskAdmin):
    form = LabelledPeriodicTaskForm
    list_display = ("label", "enabled", "scheduler", "interval", "start_time", "last_run_at", "one_off")
    list_filter = ["enabled", "one_off", TaskLabelFilter, "start_time", "last_run_at"]

    @admin.display(description=_("Task"), ordering="name")
    def label(self, obj):
        return periodic_task_label(obj)
