"""Forms of the expert review's pages.

They only collect input: every rule (score ranges, reasons required, phases, conflicts) is
checked by the domain functions in reviews/domain/, whose messages the views show.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pojian.validators import MAX_SMALL_COUNT

from .models import Conflict, Expert, NoticeCorrection, Objection, Review, ReviewItem, Round


def _plain(value):
    """A stored score as the expert typed it: 30.50 -> "30.5", 40.00 -> "40"."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


class ScoreForm(forms.Form):
    """The score sheet: one number and one comment per criterion, the recommendation, an overall comment.

    Values stay text here; `reviews.domain.scoring.save_review` parses and range-checks them.
    The number inputs carry min / max / step so phones show a numeric keypad.
    """

    recommendation = forms.ChoiceField(
        label=_("Overall recommendation"), required=False,
        choices=[("", _("— choose —")), *Review.Recommendation.choices],
    )
    comment = forms.CharField(label=_("Overall comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, criteria, review=None, locked=False, **kwargs):
        initial = kwargs.pop("initial", None) or {}
        if review is not None:
            initial.setdefault("recommendation", review.recommendation)
            initial.setdefault("comment", review.comment)
            initial.setdefault("version", review.version)
            for score in review.scores.all():
                initial.setdefault(f"score_{score.criterion_id}", _plain(score.value))
                initial.setdefault(f"note_{score.criterion_id}", score.comment)
        super().__init__(*args, initial=initial, **kwargs)
        self.criteria = list(criteria)
        for c in self.criteria:
            c.max_display, c.weight_display = _plain(c.max_score), _plain(c.weight)
            self.fields[f"score_{c.pk}"] = forms.CharField(
                label=c.name, required=False,
                widget=forms.NumberInput(attrs={
                    "min": "0", "max": str(c.max_score), "step": "0.01", "inputmode": "decimal",
                    "class": "form-control score-input", "data-testid": f"score-{c.pk}",
                }),
            )
            self.fields[f"note_{c.pk}"] = forms.CharField(
                label=_("Comment on “%(criterion)s”") % {"criterion": c.name}, required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control", "data-testid": f"note-{c.pk}"}),
            )
        self.fields["recommendation"].widget.attrs.update({"class": "form-select", "data-testid": "recommendation"})
        self.fields["comment"].widget.attrs.update({"class": "form-control", "data-testid": "comment"})
        if locked:
            for field in self.fields.values():
                field.disabled = True

    def rows(self):
        """[(criterion, score bound field, comment bound field)] for the template."""
        return [(c, self[f"score_{c.pk}"], self[f"note_{c.pk}"]) for c in self.criteria]

    def scores(self):
        """{criterion id: {"value": text, "comment": text}} for save_review."""
        data = self.cleaned_data
        return {
            c.pk: {"value": data.get(f"score_{c.pk}", ""), "comment": data.get(f"note_{c.pk}", "")}
            for c in self.criteria
        }


class DeclareConflictForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of conflict"), choices=Conflict.Kind.choices)
    reason = forms.CharField(
        label=_("Explain the conflict"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The office sees this explanation; the nomination is handed back and assigned to another expert."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ConflictDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("confirm", _("Confirm")), ("dismiss", _("Dismiss"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CreateRoundForm(forms.Form):
    # Acceptance rounds are created from the projects due for acceptance (funding), not here.
    kind = forms.ChoiceField(label=_("Kind"), choices=[c for c in Round.Kind.choices if c[0] != Round.Kind.ACCEPTANCE])
    title = forms.CharField(label=_("Title"), required=False, max_length=120)
    experts_per_item = forms.IntegerField(label=_("Experts per nomination"), min_value=1, max_value=MAX_SMALL_COUNT, initial=5)
    max_load = forms.IntegerField(label=_("Maximum nominations per expert"), min_value=1, max_value=MAX_SMALL_COUNT,
                                  initial=60)
    aggregation = forms.ChoiceField(label=_("Aggregation"), choices=Round.Aggregation.choices,
                                    initial=Round.Aggregation.TRIMMED_MEAN)
    notice_days = forms.IntegerField(label=_("Public notice days"), min_value=1, max_value=MAX_SMALL_COUNT, initial=5)


class OpenScoringForm(forms.Form):
    closes = forms.DateTimeField(
        label=_("Scoring deadline"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


def _expert_label(expert, loads):
    load = loads.get(expert.pk, 0)
    return f"{expert.name} · {expert.unit_name or '—'} · {expert.get_fields_display() or '—'} ({load})"


class ExpertChoiceForm(forms.Form):
    """Choose an expert (add to a nomination, or take over an assignment); the domain checks conflicts and load."""

    expert = forms.ModelChoiceField(label=_("Expert"), queryset=Expert.objects.none())
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)

    def __init__(self, *args, experts, loads=None, **kwargs):
        super().__init__(*args, **kwargs)
        loads = loads or {}
        self.fields["expert"].queryset = experts
        self.fields["expert"].label_from_instance = lambda e: _expert_label(e, loads)
        self.fields["expert"].widget.attrs["class"] = "form-select"
        self.fields["reason"].widget.attrs["class"] = "form-control"


class RecordConflictForm(forms.Form):
    expert = forms.ModelChoiceField(label=_("Expert"), queryset=Expert.objects.none())
    kind = forms.ChoiceField(label=_("Kind of conflict"), choices=Conflict.Kind.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts


class SelectForm(forms.Form):
    quota = forms.IntegerField(label=_("Number to select"), min_value=0, max_value=MAX_SMALL_COUNT, required=False)


class OverrideForm(forms.Form):
    selected = forms.TypedChoiceField(
        label=_("Decision"), coerce=lambda v: v == "1",
        choices=[("1", _("Select")), ("0", _("Do not select"))],
    )
    reason = forms.CharField(
        label=_("Written reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required; kept in the audit trail."),
    )


class PublishNoticeForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    starts = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    how_to_object = forms.CharField(
        label=_("How to object"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Address, telephone and deadline for objections; shown on the public page."),
    )
    show_industry = forms.BooleanField(label=_("Show the industry"), required=False, initial=True)
    show_uscc = forms.BooleanField(label=_("Show the credit code"), required=False)
    show_score = forms.BooleanField(label=_("Show the aggregate score"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts", timezone.localdate())
        super().__init__(*args, **kwargs)


class ObjectionForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Nomination"), queryset=ReviewItem.objects.none())
    objector = forms.CharField(label=_("Who objects"), required=False, max_length=200)
    contact = forms.CharField(label=pgettext_lazy("details", "Contact"), required=False, max_length=200)
    content = forms.CharField(label=_("Objection"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    received_on = forms.DateField(
        label=_("Received"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, items, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("received_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class ObjectionDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[(Objection.Outcome.UPHELD, _("Uphold")), (Objection.Outcome.DISMISSED, _("Dismiss"))]
    )
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class NoticeCorrectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=NoticeCorrection.Kind.choices)
    text = forms.CharField(
        label=_("Text of the correction notice"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly under the notice as a correction notice (更正公告)."),
    )


class PublicObjectionForm(forms.Form):
    item = forms.ModelChoiceField(label=_("Objection to"), queryset=ReviewItem.objects.none())
    objector = forms.CharField(label=_("Your name"), max_length=200)
    unit = forms.CharField(label=_("Your work unit"), max_length=200)
    phone = forms.CharField(label=_("Telephone"), max_length=30)
    content = forms.CharField(label=_("Objection (facts and reasons)"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.FileField(label=_("Evidence (PDF, optional)"), required=False)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["item"].label_from_instance = lambda item: item.nominee_name


class ListedObjectionForm(forms.Form):
    """The public objection form (PublicObjectionForm's fields and labels, without the evidence) for a
    name on a post-subsidy 公示: `items` are its rows, each with an enterprise and a region."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in PublicObjectionForm(items=items).fields.items():
            if name != "evidence":
                self.fields[name] = field
        self.fields["item"].label_from_instance = lambda row: f"{row.enterprise.name}（{row.region.name}）"


# --- score sheets (评分表) ----------------------------------------------------------------------


class SheetForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    instructions = forms.CharField(label=_("Instructions for experts"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CriterionForm(forms.Form):
    """One criterion row; blank extra rows are skipped, the rules are reviews.domain.sheets'."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    order = forms.IntegerField(label=_("Order"), required=False, min_value=0, max_value=999)
    name = forms.CharField(label=pgettext_lazy("score sheet", "Criterion"), required=False, max_length=120)
    max_score = forms.DecimalField(label=_("Maximum score"), required=False, max_digits=6, decimal_places=2, min_value=0)
    weight = forms.DecimalField(label=_("Weight"), required=False, max_digits=6, decimal_places=3, min_value=0)
    guidance = forms.CharField(label=_("Guidance"), required=False, max_length=2000)

    def is_blank(self):
        data = self.cleaned_data
        return not data.get("id") and not (data.get("name") or "").strip() and data.get("max_score") is None


CriterionFormSet = forms.formset_factory(CriterionForm, extra=2, can_delete=True, max_num=30, validate_max=True)


class CopySheetForm(forms.Form):
    source = forms.ModelChoiceField(label=_("Score sheet to copy"), queryset=None)

    def __init__(self, *args, sources, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ScoreSheet

        self.fields["source"].queryset = ScoreSheet.objects.filter(pk__in=[s.pk for s in sources])
        self.fields["source"].label_from_instance = lambda s: f"{s.round} · {s.title}"


class CopyToForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Copy to the round"), queryset=Round.objects.none())

    def __init__(self, *args, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = Round.objects.filter(pk__in=[r.pk for r in targets]).select_related("cycle")
