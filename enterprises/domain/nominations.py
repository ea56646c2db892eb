"""Creating and editing an enterprise nomination with everything it carries.

A nomination is saved as one piece: the enterprise's data, its registration (入库) for the year,
the year's declared figures, its results (IP items, achievement transfers, core-technology
products), the recommendation and the stamped letter. Editing names the version it was based
on; a stale edit is refused and nothing is overwritten. When something the 四科 check uses
changes, the check of that nomination is queued on commit.

Results are given as the complete wanted set (lists of dicts; a dict with an "id" updates that
item, one without creates a new one, and the enterprise's items not named are deleted); None
leaves them as they are.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from pojian.domain.errors import PermissionDenied, StaleEdit, ValidationError
from pojian.domain.uploads import PDF, validate_upload
from pojian.domain.uscc import normalise
from pojian.models import NominationState

from ..models import CoreProduct, Enterprise, EnterpriseNomination, EnterpriseYear, IPItem, Registration, Transfer
from .rulebook import figures_label, figures_year_for
from .workflow import queue_check

ENTERPRISE_FIELDS = (
    "name", "uscc", "address", "industry", "contact_person", "contact_phone", "founded_on",
    "is_high_tech", "high_tech_cert_no", "high_tech_cert_expires",
)
FIGURE_FIELDS = ("revenue", "rd_expense", "total_assets", "employees", "tech_staff")
IP_FIELDS = ("kind", "number", "title", "granted_on", "high_value", "high_value_reason")
TRANSFER_FIELDS = ("kind", "contract_no", "amount", "date")
PRODUCT_FIELDS = ("name", "key_technology", "evidence")


def _audit(obj, by, reason):
    obj._history_user = by
    obj._change_reason = reason
    return obj


def uscc_problem(uscc, *, region, exclude_pk=None):
    """Why this USCC cannot be used for a new enterprise of `region` (None when it can)."""
    existing = Enterprise.objects.filter(uscc=normalise(uscc)).exclude(pk=exclude_pk).select_related("region").first()
    if existing is None:
        return None
    if existing.region_id != region.pk:
        return _("This enterprise is already registered under %(region)s; only that region's bureau can nominate it.") % {
            "region": existing.region.name
        }
    return _("“%(name)s” with this code is already in your region's register: choose it as an existing enterprise.") % {
        "name": existing.name
    }


def live_nomination_exists(*, cycle, enterprise, exclude_pk=None):
    return (
        EnterpriseNomination.objects.filter(cycle=cycle, enterprise=enterprise)
        .exclude(state=NominationState.WITHDRAWN)
        .exclude(pk=exclude_pk)
        .exists()
    )


def _set_fields(obj, values, fields):
    """Set the given fields; return whether any value changed."""
    changed = False
    for name in fields:
        if name in values and getattr(obj, name) != values[name]:
            setattr(obj, name, values[name])
            changed = True
    return changed


def _save_enterprise(enterprise, values, *, by, reason):
    values = dict(values or {})
    if "uscc" in values:
        values["uscc"] = normalise(values["uscc"])
    if not values.get("is_high_tech", enterprise.is_high_tech):
        values.update(high_tech_cert_no="", high_tech_cert_expires=None)
    if _set_fields(enterprise, values, ENTERPRISE_FIELDS) or enterprise.pk is None:
        enterprise.full_clean(validate_unique=False)
        _audit(enterprise, by, reason).save()
    return enterprise


def _save_registration(enterprise, year, number, *, by, reason):
    number = (number or "").strip()
    current = Registration.all_objects.filter(enterprise=enterprise, year=year).first()
    if not number:
        if current:
            _audit(current, by, reason).delete()
            return True
        return False
    if current is None:
        _audit(Registration(enterprise=enterprise, year=year, number=number), by, reason).save()
        return True
    if current.number != number:
        current.number = number
        _audit(current, by, reason).save()
        return True
    return False


def _save_figures(enterprise, year, figures, *, by, reason):
    row = EnterpriseYear.objects.filter(enterprise=enterprise, year=year).first()
    created = row is None
    row = row or EnterpriseYear(enterprise=enterprise, year=year)
    changed = _set_fields(row, figures or {}, FIGURE_FIELDS)
    if changed or created:
        _audit(row, by, reason).save()
    return changed or created


def _sync_items(model, enterprise, rows, fields):
    """Make the enterprise's items of `model` exactly `rows`; return whether anything changed."""
    if rows is None:
        return False
    existing = {o.pk: o for o in model.objects.filter(enterprise=enterprise)}
    wanted_ids = {row["id"] for row in rows if row.get("id") in existing}
    stale = [pk for pk in existing if pk not in wanted_ids]
    changed = bool(stale)
    if stale:
        model.objects.filter(pk__in=stale).delete()
    for row in rows:
        obj = existing.get(row.get("id")) or model(enterprise=enterprise)
        if _set_fields(obj, row, fields) or obj.pk is None:
            obj.full_clean(exclude=["enterprise"], validate_unique=False)
            obj.save()
            changed = True
    return changed


def _save_letter(nomination, letter):
    if letter is None:
        return
    if letter is False:
        nomination.letter = ""
        return
    validate_upload(letter, kinds=[PDF])
    nomination.letter = letter


def _save_contents(nomination, *, by, reason, enterprise_fields, registration_number, figures, ip_items,
                   transfers, products):
    """Everything but the nomination row itself. Returns whether anything the 四科 check uses changed."""
    enterprise = nomination.enterprise
    year = nomination.cycle.year
    _save_enterprise(enterprise, enterprise_fields, by=by, reason=reason)
    changed = _save_registration(enterprise, year, registration_number, by=by, reason=reason)
    changed |= _save_figures(enterprise, figures_year_for(year), figures, by=by, reason=reason)
    changed |= _sync_items(IPItem, enterprise, ip_items, IP_FIELDS)
    changed |= _sync_items(Transfer, enterprise, transfers, TRANSFER_FIELDS)
    changed |= _sync_items(CoreProduct, enterprise, products, PRODUCT_FIELDS)
    return changed


def create_nomination(*, by, cycle, enterprise=None, enterprise_fields=None, registration_number="", figures=None,
                      recommendation="", letter=None, ip_items=None, transfers=None, products=None):
    """A bureau nominates an enterprise of its region (an existing one, or a new one from `enterprise_fields`).

    A county bureau prepares one for its city (the nomination's region), with its county; it goes on
    to the city by `enterprises.domain.county.forward_to_city`.
    """
    county = None
    if by.has_perm("enterprises.prepare_county_nomination"):
        county = by.region
    elif not by.has_perm("enterprises.add_nomination"):
        raise PermissionDenied(_("Only a city bureau can nominate enterprises."))
    if cycle is None or cycle.is_closed:
        raise ValidationError(_("There is no open programme year to nominate for."), code="no_cycle")
    region = county.parent if county is not None else by.region
    if enterprise is not None:
        if county is not None:
            from .county import check_county_enterprise

            check_county_enterprise(county, enterprise)
        elif enterprise.region_id != region.pk:
            raise PermissionDenied(_("You can nominate only enterprises of your own region."))
        new_uscc = normalise((enterprise_fields or {}).get("uscc", enterprise.uscc))
        problem = new_uscc != enterprise.uscc and uscc_problem(new_uscc, region=region, exclude_pk=enterprise.pk)
        if problem:
            raise ValidationError({"uscc": problem}, code="uscc_taken")
    else:
        problem = uscc_problem((enterprise_fields or {}).get("uscc", ""), region=region)
        if problem:
            raise ValidationError({"uscc": problem}, code="uscc_taken")
        enterprise = Enterprise(region=region)
    with transaction.atomic():
        if enterprise.pk and live_nomination_exists(cycle=cycle, enterprise=enterprise):
            raise ValidationError(
                _("%(name)s is already nominated for %(year)s.") % {"name": enterprise.name, "year": cycle.year},
                code="duplicate",
            )
        nomination = EnterpriseNomination(
            cycle=cycle, region=region, county=county, enterprise=enterprise, created_by=by,
            recommendation=recommendation or "",
        )
        _save_enterprise(enterprise, enterprise_fields, by=by, reason="nomination")
        nomination.enterprise = enterprise
        _save_contents(
            nomination, by=by, reason="nomination", enterprise_fields=None, registration_number=registration_number,
            figures=figures, ip_items=ip_items, transfers=transfers, products=products,
        )
        _save_letter(nomination, letter)
        _audit(nomination, by, "create").save()
        queue_check(nomination.pk, by=by)
        # The pool (培育库): a nominated enterprise enters it on commit (the check re-evaluates its tier).
        from .pool import Via, refresh_on_commit

        refresh_on_commit([enterprise.pk], via=Via.NOMINATION)
    return nomination


def update_nomination(nomination, *, by, expected_version, enterprise_fields=None, registration_number="",
                      figures=None, recommendation=None, letter=None, ip_items=None, transfers=None, products=None):
    """The bureau edits its nomination (draft or returned, year open). A stale `expected_version` is refused."""
    with transaction.atomic():
        current = (
            EnterpriseNomination.objects.select_for_update(of=("self",))
            .select_related("cycle", "enterprise")
            .get(pk=nomination.pk)
        )
        if not by.has_perm("enterprises.view_nomination", current):
            raise PermissionDenied(_("You may not do this to this nomination."))
        if not by.has_perm("enterprises.change_nomination", current):
            raise PermissionDenied(
                _("A nomination can be edited only while it is a draft or returned, and while its year is open.")
            )
        if current.version != int(expected_version):
            raise StaleEdit(
                _("Someone else saved this nomination while you were editing it (your version %(yours)s, now "
                  "%(now)s). Nothing was saved: reload the page to see their changes, then edit again.")
                % {"yours": expected_version, "now": current.version},
                code="stale",
            )
        if enterprise_fields and "uscc" in enterprise_fields:
            problem = None
            if normalise(enterprise_fields["uscc"]) != current.enterprise.uscc:
                problem = uscc_problem(enterprise_fields["uscc"], region=current.region, exclude_pk=current.enterprise_id)
            if problem:
                raise ValidationError({"uscc": problem}, code="uscc_taken")
        changed = _save_contents(
            current, by=by, reason="edit", enterprise_fields=enterprise_fields,
            registration_number=registration_number, figures=figures, ip_items=ip_items, transfers=transfers,
            products=products,
        )
        if recommendation is not None:
            current.recommendation = recommendation
        _save_letter(current, letter)
        from pojian.domain.concurrency import save_versioned

        _audit(current, by, "edit")
        save_versioned(current, expected_version=int(expected_version))
        if changed:
            queue_check(current.pk, by=by)
    for field in ("recommendation", "letter", "version", "updated_at"):
        setattr(nomination, field, getattr(current, field))
    return current


def nomination_contents(nomination):
    """Everything shown about a nomination (detail page, 推荐表), in few queries."""
    enterprise = nomination.enterprise
    year = nomination.cycle.year
    figures_year = figures_year_for(year)
    figures = EnterpriseYear.objects.filter(enterprise=enterprise, year=figures_year).first()
    registration = Registration.all_objects.filter(enterprise=enterprise, year=year).first()
    verdict = getattr(nomination, "verdict", None) if _has_verdict(nomination) else None
    from .checks import counted_results

    judged_by, ip_items, transfers = counted_results(nomination, verdict=verdict)
    return {
        "enterprise": enterprise,
        "figures": figures,
        "figures_year": figures_year,
        "figures_label": figures_label(figures_year=figures_year, year=year),
        "figure_rows": figure_rows(figures),
        "registration": registration,
        "ip_items": ip_items,
        "transfers": transfers,
        "judged_by": judged_by,
        "products": list(enterprise.core_products.all()),
        "verdict": verdict,
        "verdict_rows": verdict_rows(verdict),
    }


def _has_verdict(nomination):
    from ..models import Verdict

    try:
        nomination.verdict  # noqa: B018 - loads the reverse one-to-one
    except Verdict.DoesNotExist:
        return False
    return True


def figure_rows(figures):
    """[(label, effective value, source label, declared, tax, is_money)] for display."""
    if figures is None:
        return []
    rows = []
    for name in FIGURE_FIELDS:
        value, source = figures.effective(name)
        tax = getattr(figures, f"{name}_tax", None)
        rows.append({
            "name": name,
            "label": EnterpriseYear._meta.get_field(name).verbose_name,
            "value": value,
            "source": source,
            "source_label": source.label,
            "declared": getattr(figures, name),
            "tax": tax,
            "differs": tax is not None and tax != getattr(figures, name),
            "money": name in ("revenue", "rd_expense", "total_assets"),
        })
    return rows


def verdict_rows(verdict):
    """The stored verdict per criterion, in the reader's language."""
    if verdict is None:
        return []
    from .eligibility import explain

    return explain(verdict.explanation)


def render_nomination_form(nomination) -> bytes:
    """The official nomination form (推荐表) of one nomination as a PDF, in Chinese."""
    from django.utils import timezone, translation

    from pojian.domain.pdf import render_pdf

    with translation.override("zh-hans"):
        context = {"nomination": nomination, "cycle": nomination.cycle, "region": nomination.region,
                   "printed_at": timezone.localtime(), **nomination_contents(nomination)}
        return render_pdf("enterprises/pdf_nomination_form.html", context, language="zh-hans")
