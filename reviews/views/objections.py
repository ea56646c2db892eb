"""What the post-subsidy 公示 pages (R&D, contract subsidy) share about online objections: the public
page takes them during the period and afterwards says how many were received and handled; the office
decides them on its rule page. The domain side is reviews.domain.notices (take / decide_online_objection)."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.errors import ValidationError
from pojian.mixins import run_domain

from ..domain.notices import received_between
from ..forms import ListedObjectionForm, ObjectionDecisionForm


class TakesObjectionsMixin:
    """A public 公示 page over `self.rule` (notice_starts, notice_ends, objections) whose `rows()` are the
    names on the list; `running()` says whether objections are taken today and `submit(item, data,
    address)` records one (the app's domain function)."""

    def objection_form(self, data=None):
        return ListedObjectionForm(data, items=self.rows(), prefix="objection")

    def post(self, request, *args, **kwargs):
        form = self.objection_form(request.POST)
        if form.is_valid() and self.running():
            try:
                self.submit(form.cleaned_data["item"], form.cleaned_data, address=request.META.get("REMOTE_ADDR"))
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, _("Your objection has been received. The office will contact you."))
                return HttpResponseRedirect(request.path)
        elif form.is_valid():
            form.add_error(None, received_between(self.rule.notice_starts, self.rule.notice_ends))
        return self.render_to_response(self.get_context_data(objection_form=form), status=400)

    def objection_context(self, ctx):
        """The form while the notice runs; after it, how many objections were received and handled."""
        ctx["running"] = self.running()
        if ctx["running"]:
            ctx.setdefault("objection_form", self.objection_form())
        elif self.rule.notice_ends < timezone.localdate():
            ctx["objections_received"] = self.rule.objections.count()
            ctx["objections_handled"] = self.rule.objections.exclude(outcome="pending").count()
        return ctx


def decide_posted_objection(request, objections, decide):
    """The office's decision posted from a rule page on one of `objections`; `decide` is the app's domain
    function. Returns whether it was saved (a refusal is shown as a message)."""
    form = ObjectionDecisionForm(request.POST)
    pk = request.POST.get("objection", "")
    objection = get_object_or_404(objections, pk=int(pk) if pk.isdigit() else 0)
    if not form.is_valid():
        messages.error(request, _("Choose upheld or dismissed."))
        return False
    return run_domain(request, decide, objection=objection, outcome=form.cleaned_data["outcome"],
                      reason=form.cleaned_data["reason"], by=request.user)
