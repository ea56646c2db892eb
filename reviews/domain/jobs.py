"""Starting the review's background jobs (the page then links to the job page, URL name `job`)."""

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied
from pojian.domain.jobs import start_job


def _require(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


def start_results_export(*, round_, by):
    from ..tasks import export_results

    _require(by, "reviews.export_results", round_)
    return start_job(
        kind="reviews.results", title=_("Review results: %(round)s") % {"round": round_}, by=by, task=export_results,
        params={"round_id": round_.pk, "language": get_language()}, dedupe_key=f"reviews.results.{round_.pk}.{by.pk}",
        origin=(reverse("reviews:office_results", args=[round_.pk]), _("the round's results")),
    )


def start_confirmed_pdf(*, round_, by):
    from ..tasks import export_confirmed_list

    _require(by, "reviews.export_results", round_)
    return start_job(
        kind="reviews.confirmed_pdf", title=_("Confirmed list: %(round)s") % {"round": round_}, by=by,
        task=export_confirmed_list, params={"round_id": round_.pk}, dedupe_key=f"reviews.confirmed.{round_.pk}.{by.pk}",
        origin=(reverse("reviews:office_results", args=[round_.pk]), _("the round's results")),
    )


def start_propose(*, round_, by):
    from ..tasks import propose_assignment

    _require(by, "reviews.manage_assignments", round_)
    return start_job(
        kind="reviews.propose", title=_("Automatic assignment: %(round)s") % {"round": round_}, by=by,
        task=propose_assignment, params={"round_id": round_.pk}, dedupe_key=f"reviews.propose.{round_.pk}",
        origin=(reverse("reviews:office_round", args=[round_.pk]), _("the review round")),
        next_step=(reverse("reviews:office_assignment", args=[round_.pk]), _("View the assignment plan")),
    )


def start_expert_import(*, upload, by):
    """Validate the upload by content (.xlsx) and start the import job."""
    from pojian.domain.uploads import XLSX, validate_upload

    from ..tasks import import_experts

    _require(by, "reviews.import_experts")
    validate_upload(upload, kinds=(XLSX,))
    return start_job(
        kind="reviews.import_experts", title=_("Expert pool import"), by=by, task=import_experts,
        input_file=upload, dedupe_key="reviews.import_experts",
        origin=(reverse("admin:reviews_expert_changelist"), _("the expert pool")),
        next_step=(reverse("admin:reviews_expert_changelist"), _("View the expert pool")),
    )
