"""Roadshows: the office sees all and the results; judges see theirs and score."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from pojian.domain.errors import ValidationError
from pojian.mixins import message_for
from pojian.nomination_views import ProtectedFileView

from ..domain import roadshows as domain
from ..forms import ScoreForm
from ..models import Roadshow, RoadshowScore
from .common import FinancePermissionMixin, allows, is_office


class RoadshowListView(FinancePermissionMixin, ListView):
    permission_required = "finance.list_roadshows"
    template_name = "finance/roadshow_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = Roadshow.objects.prefetch_related("presentations")
        if not is_office(self.request.user):
            qs = qs.filter(judges=self.request.user)
        return qs

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "office": is_office(self.request.user)}


class RoadshowDetailView(FinancePermissionMixin, DetailView):
    model = Roadshow
    permission_required = "finance.view_roadshow"
    template_name = "finance/roadshow_detail.html"
    context_object_name = "roadshow"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        presentations = list(self.object.presentations.select_related("enterprise"))
        mine = {s.presentation_id: s for s in RoadshowScore.objects.filter(presentation__roadshow=self.object, judge=user)}
        ctx.update(
            rows=[(p, mine.get(p.pk)) for p in presentations],
            is_judge=self.object.judges.filter(pk=user.pk).exists(),
            can_score=allows(user, "finance.score_roadshow", self.object),
            results=domain.results(self.object) if allows(user, "finance.view_roadshow_results") else None,
            judges=self.object.judges.all(),
            criteria=list(self.object.criteria.all()),
        )
        return ctx


class ScoreView(FinancePermissionMixin, DetailView):
    """One judge scores one presentation (or changes their score)."""

    model = Roadshow
    permission_required = "finance.score_roadshow"
    template_name = "finance/score_form.html"

    def presentation(self):
        return get_object_or_404(self.object.presentations.select_related("enterprise"), pk=self.kwargs["presentation"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        p = self.presentation()
        existing = RoadshowScore.objects.filter(presentation=p, judge=request.user).first()
        form = ScoreForm(instance=existing, criteria=self.object.criteria.all())
        return self.render_to_response(self.get_context_data(presentation=p, form=form))

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        p = self.presentation()
        form = ScoreForm(request.POST, criteria=self.object.criteria.all())
        if form.is_valid():
            try:
                domain.score_presentation(presentation=p, judge=request.user, score=form.cleaned_data.get("score"),
                                          comment=form.cleaned_data["comment"], values=form.values())
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, message_for(e))
            else:
                messages.success(request, _("Score saved for %(name)s.") % {"name": p.enterprise.name})
                return redirect(self.object)
        return self.render_to_response(self.get_context_data(presentation=p, form=form))


class BusinessPlanView(ProtectedFileView):
    """A presentation's business plan (PDF) for the office and the roadshow's judges."""

    model = Roadshow
    permission_required = "finance.view_roadshow"
    file_field = "business_plan"

    def get_permission_object(self):
        return DetailView.get_object(self)

    def get_object(self, queryset=None):
        roadshow = DetailView.get_object(self)
        return get_object_or_404(roadshow.presentations, pk=self.kwargs["presentation"])
