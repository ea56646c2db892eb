"""Form pieces every app uses."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .domain.concurrency import check_edit_token, edit_token, is_lockable


def _token_field():
    return forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)


class LockedEditMixin:
    """Optimistic locking for a ModelForm that edits an existing object.

    The form carries the object's edit token (its version, or its latest history record) from the
    moment it was shown; a save based on an older state is refused as a form error that says
    what changed since and by whom, and changes nothing. Call is_valid() inside a transaction
    (admin pages are; `locked_form_valid` views too) so the check holds the row until the commit.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "edit_token" not in self.fields:
            self.fields["edit_token"] = _token_field()
        if self.instance.pk is not None and is_lockable(type(self.instance)):
            token = edit_token(type(self.instance), self.instance.pk)
            self.fields["edit_token"].initial = token
            self.initial.setdefault("edit_token", token)

    def clean(self):
        data = super().clean()
        if self.instance.pk is not None and is_lockable(type(self.instance)):
            try:
                check_edit_token(self.instance, token=data.get("edit_token"))
            except forms.ValidationError as e:
                self.add_error(None, e)
        return data


def locked(form_class):
    """`form_class` with optimistic locking (see LockedEditMixin); the token is a declared field."""
    if issubclass(form_class, LockedEditMixin):
        return form_class
    return type(form_class.__name__, (LockedEditMixin, form_class), {"edit_token": _token_field()})


class LockedFormViewMixin:
    """For an UpdateView with a locked form: validation and save in one transaction."""

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().post(request, *args, **kwargs)
class CodeForm(forms.Form):
    """One code: six digits from the authenticator, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "inputmode": "text"}),
    )
