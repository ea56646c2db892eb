"""The office's acceptance (验收) pages: projects due, a new acceptance round for some of them, and a
closed round's outcomes (by the pass score or the office's decision) confirmed onto the projects.

The round itself (experts, conflicts, score sheet, scoring, closing, ranking) is run on the expert
review's pages; these pages only start it and finish it. Rules: funding.domain.acceptance.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.mixins import PortalPermissionMixin, message_for
from pojian.models import Cycle
from reviews.models import ReviewItem, Round, RoundKind
from reviews.views.office import RoundMixin, round_in_open_year

from .domain import acceptance
from .forms import AcceptanceItemDecisionForm, AcceptanceRoundForm


class AcceptanceRoundsView(PortalPermissionMixin, TemplateView):
    """Projects waiting for acceptance, and the acceptance rounds; the office starts a round for some projects."""

    permission_required = ("funding.manage_projects", "reviews.manage_acceptance")
    template_name = "funding/acceptance_rounds.html"

    def get_context_data(self, form=None, **kwargs):
        ctx = super().get_context_data(**kwargs)
        due = acceptance.due_projects()
        ctx.update(
            due=due, form=form or AcceptanceRoundForm(projects=due), cycle=Cycle.objects.current(),
            rounds=Round.objects.filter(kind=RoundKind.ACCEPTANCE).select_related("cycle").order_by("-pk"),
        )
        return ctx

    def post(self, request, *args, **kwargs):
        form = AcceptanceRoundForm(request.POST, projects=acceptance.due_projects())

        def create(cycle, data):
            return acceptance.create_acceptance_round(
                cycle=cycle, projects=data["projects"], by=request.user, pass_score=data["pass_score"],
                title=data["title"], experts_per_item=data["experts_per_item"], max_load=data["max_load"])

        created = round_in_open_year(
            request, form, create, created=_("Acceptance round created: %(round)s. Assign its experts next."),
            invalid=lambda: messages.error(request, _("Please correct the errors below.")))
        return created or self.render_to_response(self.get_context_data(form=form))


class AcceptanceRoundView(RoundMixin, TemplateView):
    """A closed acceptance round: each project's score, outcome by the pass score, the office's decision; confirm."""

    permission_required = ("funding.manage_projects", "reviews.manage_acceptance")
    template_name = "funding/acceptance_round.html"
    round_kind = RoundKind.ACCEPTANCE

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        round_ = self.get_round()
        rows = acceptance.outcomes(round_)
        for r in rows:
            r["form"] = AcceptanceItemDecisionForm(prefix=f"i{r['item'].pk}",
                                               initial={"outcome": r["decision"], "reason": r["item"].override_reason})
        ctx.update(round=round_, rows=rows,
                   closed=round_.is_closed and round_.ranked_at is not None,
                   confirmed=round_.results_confirmed_at is not None)
        return ctx

    def post(self, request, *args, **kwargs):
        round_ = self.get_round()
        url = reverse("funding:acceptance_round", args=[round_.pk])
        try:
            if request.POST.get("action") == "confirm":
                done = acceptance.confirm_acceptance_round(round_=round_, by=request.user)
                messages.success(request, _("%(n)s acceptance results recorded on the projects.") % {"n": len(done)})
            else:
                item = get_object_or_404(ReviewItem, pk=request.POST.get("item") or 0, round=round_)
                form = AcceptanceItemDecisionForm(request.POST, prefix=f"i{item.pk}")
                if not form.is_valid():
                    raise ValidationError(_("Choose an outcome."))
                acceptance.decide_item(item=item, outcome=form.cleaned_data["outcome"],
                                       reason=form.cleaned_data["reason"], by=request.user)
                messages.success(request, _("Decision saved: %(project)s") % {"project": item.nominee_name})
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, message_for(e))
        return HttpResponseRedirect(url)
