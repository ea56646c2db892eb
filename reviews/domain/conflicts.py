"""Conflicts of interest (回避): detection, declaration, the office's decision, and their effect.

A conflict ties an expert to a nominee, identified by the nominee's USCC (so it holds in every
round and year) or, for a nominee without one, by the nomination itself. Pending and confirmed
conflicts block: the expert is never assigned and never sees the nomination, and any live
assignment is withdrawn the moment the conflict is recorded. A dismissed conflict blocks
nothing, and detection does not raise it again.

Detected automatically (`detect_conflicts`):
  * same work unit: the expert's unit USCC equals the nominee's USCC, or the normalised unit name
    equals the normalised nominee name (see `normalise_name`);
  * investor: the expert's unit is a finance institution that invested in the enterprise
    (finance.Investment, looked up only when the finance app and model exist).
"""

import re
import unicodedata
from collections import defaultdict

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from pojian.domain.errors import PermissionDenied, ValidationError
from pojian.domain.notifications import notify, office_users

from ..models import Assignment, Conflict, Expert, ReviewItem, Round

SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司")
_BRACKETS = re.compile(r"[()\[\]{}（）【】〔〕［］｛｝<>《》〈〉]")


def normalise_name(name: str) -> str:
    """A unit or enterprise name reduced for comparison.

    Full-width characters become half-width (NFKC), every space and bracket character goes,
    latin letters are lower-cased, and one trailing company-form suffix (股份有限公司,
    有限责任公司, 有限公司) is dropped: "吉林（长春）光电 股份有限公司" == "吉林(长春)光电有限公司".
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if not ch.isspace())
    text = _BRACKETS.sub("", text).lower()
    for suffix in SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    return text


def _require_office(by, perm="reviews.manage_conflicts", obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("Only the provincial office may do this."))


# ---------------------------------------------------------------------------------------------
# Which (expert, item) pairs are blocked


def _blocking():
    return Conflict.objects.filter(status__in=Conflict.BLOCKING)


def blocked_pairs(round_, *, item_ids=None):
    """{(expert_id, item_id)} of every blocking conflict touching the round's items."""
    items = ReviewItem.objects.filter(round=round_)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    rows = list(items.values_list("pk", "nominee_uscc", "content_type_id", "object_id"))
    by_uscc, by_object = defaultdict(list), defaultdict(list)
    for pk, uscc, ct, oid in rows:
        if uscc:
            by_uscc[uscc].append(pk)
        by_object[(ct, oid)].append(pk)
    conflicts = _blocking().filter(
        Q(nominee_uscc__in=items.exclude(nominee_uscc="").values("nominee_uscc"))
        | Q(object_id__isnull=False, object_id__in=items.values("object_id"))
    ).values_list("expert_id", "nominee_uscc", "content_type_id", "object_id")
    pairs = set()
    for expert_id, uscc, ct, oid in conflicts.iterator(chunk_size=5000):
        for item_id in by_uscc.get(uscc, ()) if uscc else ():
            pairs.add((expert_id, item_id))
        if oid is not None:
            for item_id in by_object.get((ct, oid), ()):
                pairs.add((expert_id, item_id))
    return pairs


def _item_q(item):
    q = Q(content_type_id=item.content_type_id, object_id=item.object_id)
    if item.nominee_uscc:
        q |= Q(nominee_uscc=item.nominee_uscc)
    return q


def is_conflicted(*, expert_id, item) -> bool:
    """Has this expert a blocking (pending or confirmed) conflict with the item's nominee?"""
    return _blocking().filter(expert_id=expert_id).filter(_item_q(item)).exists()


def conflicts_for_item(item):
    return Conflict.objects.filter(_item_q(item)).select_related("expert")


# ---------------------------------------------------------------------------------------------
# Effect of a new blocking conflict


def _withdraw_for(conflicts, *, by, reason):
    """Withdraw every live assignment (in rounds not closed) that a blocking conflict now forbids."""
    withdrawn = []
    for conflict in conflicts:
        q = Q(item__content_type_id=conflict.content_type_id, item__object_id=conflict.object_id) if conflict.object_id else Q(pk__in=[])
        if conflict.nominee_uscc:
            q |= Q(item__nominee_uscc=conflict.nominee_uscc)
        live = (
            Assignment.objects.select_for_update(of=("self",))
            .filter(q, expert_id=conflict.expert_id)
            .exclude(state=Assignment.State.WITHDRAWN)
            .exclude(item__round__phase=Round.Phase.CLOSED)
        )
        for assignment in live:
            assignment.state = Assignment.State.WITHDRAWN
            assignment.withdrawn_reason = reason
            assignment.version += 1
            assignment._history_user = by
            assignment._change_reason = f"conflict: {reason}"
            assignment.save()
            withdrawn.append(assignment)
    return withdrawn


def _notify_office(conflicts, withdrawn):
    if not conflicts:
        return
    if len(conflicts) == 1:
        c = conflicts[0]
        subject = _("Conflict of interest: %(expert)s and %(nominee)s") % {
            "expert": c.expert.name, "nominee": c.nominee_name or c.nominee_uscc,
        }
    else:
        subject = _("%(count)s conflicts of interest recorded") % {"count": len(conflicts)}
    body = _("%(count)s assignment(s) withdrawn; please check the assignment and reassign where needed.") % {
        "count": len(withdrawn)
    } if withdrawn else _("No assignment had to be withdrawn; the expert will not be assigned these nominations.")
    notify(office_users(), subject=subject, body=body, url=reverse("reviews:office_conflicts"),
           next_step=_("Check the conflicts of interest and reassign where needed."))


# ---------------------------------------------------------------------------------------------
# Recording conflicts


def record_conflict(*, expert, kind, source, by=None, reason="", item=None, nominee_uscc="", nominee_name="",
                    status=None):
    """Record one conflict (declared by an expert, recorded by the office or detected) and apply it.

    The nominee is `item` (a ReviewItem) or a USCC (with a name for display). A conflict of the
    same kind and nominee that exists already is reused: a dismissed one is raised again when the
    expert or the office records it. Live assignments it forbids are withdrawn, the office is told.
    """
    if kind not in Conflict.Kind.values:
        raise ValidationError(_("Unknown kind of conflict."), code="kind")
    if source not in Conflict.Source.values:
        raise ValidationError(_("Unknown source of a conflict."), code="source")
    reason = (reason or "").strip()
    if source != Conflict.Source.DETECTED and not reason:
        raise ValidationError(_("Please explain the conflict."), code="reason_required")
    if status is None:
        # The expert's own word or the office's decision stands; a detection waits for the office.
        status = Conflict.Status.PENDING if source == Conflict.Source.DETECTED else Conflict.Status.CONFIRMED
    content_type_id = object_id = None
    if item is not None:
        nominee_uscc = item.nominee_uscc
        nominee_name = item.nominee_name
        content_type_id, object_id = item.content_type_id, item.object_id
    nominee_uscc = (nominee_uscc or "").strip().upper()
    if not nominee_uscc and object_id is None:
        raise ValidationError(_("Name the nominee: a nomination or a unified social credit code."), code="nominee")
    with transaction.atomic():
        if nominee_uscc:
            existing = Conflict.objects.select_for_update(of=("self",)).filter(expert=expert, nominee_uscc=nominee_uscc, kind=kind).first()
        else:
            existing = Conflict.objects.select_for_update(of=("self",)).filter(
                expert=expert, content_type_id=content_type_id, object_id=object_id, kind=kind
            ).first()
        if existing is not None:
            if existing.is_blocking and (existing.status == status or status == Conflict.Status.PENDING):
                return existing
            conflict = existing
            conflict.source = source
            conflict.status = status
            conflict.reason = reason or conflict.reason
            conflict.decided_by = by if status != Conflict.Status.PENDING and source == Conflict.Source.OFFICE else None
            conflict.decided_at = timezone.now() if conflict.decided_by else None
        else:
            conflict = Conflict(
                expert=expert, kind=kind, source=source, status=status, reason=reason,
                nominee_uscc=nominee_uscc, nominee_name=(nominee_name or "")[:200],
                content_type_id=content_type_id, object_id=object_id,
                created_by=by if by is not None and by.is_authenticated else None,
            )
        conflict._history_user = by
        conflict._change_reason = f"{source}: {reason}"[:100]
        conflict.save()
        withdrawn = _withdraw_for([conflict], by=by, reason=_("Conflict of interest: %(reason)s") % {"reason": reason or conflict.get_kind_display()})
        _notify_office([conflict], withdrawn)
    return conflict


def declare_conflict(*, assignment, kind, reason, by):
    """An expert declares a conflict with an assigned nomination; the assignment is handed back."""
    if not by.has_perm("reviews.declare_conflict", assignment):
        raise PermissionDenied(_("You may not declare a conflict for this assignment."))
    return record_conflict(
        expert=assignment.expert, kind=kind, source=Conflict.Source.DECLARED, reason=reason, by=by,
        item=assignment.item,
    )


def confirm_conflict(*, conflict, by, reason=""):
    _require_office(by, obj=conflict)
    return _decide(conflict, Conflict.Status.CONFIRMED, by=by, reason=reason)


def dismiss_conflict(*, conflict, by, reason):
    """The office dismisses a conflict (with a reason). Withdrawn assignments stay withdrawn."""
    _require_office(by, obj=conflict)
    if not (reason or "").strip():
        raise ValidationError(_("Please give a reason for dismissing the conflict."), code="reason_required")
    return _decide(conflict, Conflict.Status.DISMISSED, by=by, reason=reason)


def _decide(conflict, status, *, by, reason):
    with transaction.atomic():
        current = Conflict.objects.select_for_update(of=("self",)).get(pk=conflict.pk)
        if current.status == status:
            raise ValidationError(_("The conflict is already “%(status)s”.") % {"status": current.get_status_display()}, code="state")
        was_blocking = current.is_blocking
        current.status = status
        current.decided_by = by
        current.decided_at = timezone.now()
        current.decision_reason = (reason or "").strip()
        current._history_user = by
        current._change_reason = f"{status}: {reason}"[:100]
        current.save()
        if not was_blocking and current.is_blocking:
            _withdraw_for([current], by=by, reason=_("Conflict of interest confirmed"))
    conflict.refresh_from_db()
    return current


# ---------------------------------------------------------------------------------------------
# Detection


def _investments():
    """{institution USCC or normalised name: {enterprise USCC}} from finance.Investment, if it exists."""
    if not apps.is_installed("finance"):
        return {}
    try:
        investment = apps.get_model("finance", "Investment")
    except LookupError:
        return {}
    inst_fk = ent_fk = None
    ent_uscc_field = None
    for f in investment._meta.get_fields():
        if getattr(f, "many_to_one", False) and f.related_model is not None:
            if f.related_model.__name__ in ("FinanceInstitution", "Institution"):
                inst_fk = f.name
            elif f.related_model.__name__ == "Enterprise":
                ent_fk = f.name
        elif getattr(f, "concrete", False) and "uscc" in f.name:
            ent_uscc_field = f.name
    if inst_fk is None or (ent_fk is None and ent_uscc_field is None):
        return {}
    inst_model = investment._meta.get_field(inst_fk).related_model
    inst_fields = {f.name for f in inst_model._meta.get_fields()}
    columns = [f"{inst_fk}__uscc" if "uscc" in inst_fields else None,
               f"{inst_fk}__name" if "name" in inst_fields else None,
               f"{ent_fk}__uscc" if ent_fk else ent_uscc_field]
    wanted = [c for c in columns if c]
    try:
        rows = list(investment.objects.values_list(*wanted))
    except FieldError:
        return {}
    result = defaultdict(set)
    for row in rows:
        values = dict(zip(wanted, row, strict=True))
        enterprise_uscc = (values.get(columns[2]) or "").strip().upper()
        if not enterprise_uscc:
            continue
        if columns[0] and values.get(columns[0]):
            result[values[columns[0]].strip().upper()].add(enterprise_uscc)
        if columns[1] and values.get(columns[1]):
            result["name:" + normalise_name(values[columns[1]])].add(enterprise_uscc)
    return result


def detect_conflicts(*, round_=None, experts=None, by=None):
    """Find the conflicts the data shows, for a round's items (default: every round not closed).

    Returns the new Conflict rows (pending, source detected); pairs already recorded, in any
    status, are left alone. Live assignments the new conflicts forbid are withdrawn.
    """
    items = ReviewItem.objects.exclude(round__phase=Round.Phase.CLOSED)
    if round_ is not None:
        items = ReviewItem.objects.filter(round=round_)
    by_uscc, by_name = defaultdict(list), defaultdict(list)
    for item in items.only("pk", "nominee_uscc", "nominee_name", "content_type_id", "object_id"):
        if item.nominee_uscc:
            by_uscc[item.nominee_uscc].append(item)
        by_name[normalise_name(item.nominee_name)].append(item)
    if not by_uscc and not by_name:
        return []
    experts = Expert.objects.active() if experts is None else experts
    invested = _investments()

    found = {}  # (expert_id, nominee key, kind) -> Conflict

    def add(expert, item, kind, reason):
        key = (expert.pk, item.nominee_uscc or (item.content_type_id, item.object_id), kind)
        if key not in found:
            found[key] = Conflict(
                expert=expert, kind=kind, source=Conflict.Source.DETECTED, status=Conflict.Status.PENDING,
                nominee_uscc=item.nominee_uscc, nominee_name=item.nominee_name[:200],
                content_type_id=None if item.nominee_uscc else item.content_type_id,
                object_id=None if item.nominee_uscc else item.object_id,
                reason=reason, created_by=by if by is not None and by.is_authenticated else None,
            )

    for expert in experts.only("pk", "name", "unit_name", "unit_uscc"):
        unit_uscc = (expert.unit_uscc or "").upper()
        unit_name = normalise_name(expert.unit_name)
        if unit_uscc:
            for item in by_uscc.get(unit_uscc, ()):
                add(expert, item, Conflict.Kind.SAME_UNIT,
                    _("The expert's work unit has the nominee's credit code %(uscc)s.") % {"uscc": unit_uscc})
        if unit_name:
            for item in by_name.get(unit_name, ()):
                add(expert, item, Conflict.Kind.SAME_UNIT,
                    _("The expert's work unit “%(unit)s” is the nominee.") % {"unit": expert.unit_name})
        if invested:
            enterprise_usccs = set(invested.get(unit_uscc, ())) if unit_uscc else set()
            if unit_name:
                enterprise_usccs |= invested.get("name:" + unit_name, set())
            for enterprise_uscc in enterprise_usccs:
                for item in by_uscc.get(enterprise_uscc, ()):
                    add(expert, item, Conflict.Kind.INVESTOR_OR_ADVISER,
                        _("The expert's work unit “%(unit)s” invested in the nominee.") % {"unit": expert.unit_name})
    if not found:
        return []

    existing = set()
    expert_ids = {k[0] for k in found}
    for e, uscc, ct, oid, kind in Conflict.objects.filter(expert_id__in=expert_ids).values_list(
        "expert_id", "nominee_uscc", "content_type_id", "object_id", "kind"
    ):
        existing.add((e, uscc or (ct, oid), kind))
    new = [c for key, c in found.items() if key not in existing]
    if not new:
        return []
    with transaction.atomic():
        # Primary keys come back from bulk_create on PostgreSQL and on SQLite (3.35+).
        created = bulk_create_with_history(new, Conflict, default_user=by, default_change_reason="detected")
        withdrawn = _withdraw_for(created, by=by, reason=_("Conflict of interest detected"))
        _notify_office(created, withdrawn)
    return created


def detect_for_expert(expert, *, by=None):
    """Detection for one expert (after the office edits their work unit) over the open rounds."""
    return detect_conflicts(experts=Expert.objects.filter(pk=expert.pk), by=by)


def conflict_for_content(nomination):
    ct = ContentType.objects.get_for_model(type(nomination))
    return Conflict.objects.filter(content_type=ct, object_id=nomination.pk)
