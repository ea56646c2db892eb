"""Admin actions for any nomination model: accept / return / reject a selection, the reason asked once."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .domain import workflow
from .mixins import message_for


class ReasonForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _apply(modeladmin, request, queryset, action):
    t = workflow.TRANSITIONS[action]
    if t.reason_required and "apply" not in request.POST:
        return TemplateResponse(request, "admin/pojian/transition_reason.html", {
            **modeladmin.admin_site.each_context(request),
            "title": _("%(action)s: give the reason") % {"action": t.label},
            "objects": queryset, "action": request.POST.get("action"), "form": ReasonForm(),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME, "opts": modeladmin.model._meta,
        })
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    reason = form.data.get("reason", "") if form.is_bound else ""
    if t.reason_required and not reason.strip():
        modeladmin.message_user(request, _("Please give a reason."), messages.ERROR)
        return None
    done, refused = 0, []
    for nomination in queryset:
        try:
            workflow.transition(nomination, action, by=request.user, reason=reason)
            done += 1
        except (ValidationError, PermissionDenied) as e:
            refused.append(f"{nomination.nominee_name}: {message_for(e)}")
    if done:
        modeladmin.message_user(request, _("%(n)d nominations: %(action)s.") % {"n": done, "action": t.label}, messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)
    return None


@admin.action(description=gettext_lazy("Accept the selected nominations"), permissions=["change"])
def accept_selected(modeladmin, request, queryset):
    return _apply(modeladmin, request, queryset, "accept")


@admin.action(description=gettext_lazy("Return the selected nominations for changes"), permissions=["change"])
def return_selected(modeladmin, request, queryset):
    return _apply(modeladmin, request, queryset, "return")


@admin.action(description=gettext_lazy("Reject the selected nominations"), permissions=["change"])
def reject_selected(modeladmin, request, queryset):
    return _apply(modeladmin, request, queryset, "reject")


NOMINATION_ACTIONS = [accept_selected, return_selected, reject_selected]
