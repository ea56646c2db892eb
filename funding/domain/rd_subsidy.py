"""研发投入后补助: the year's rule, candidates from the tax figures, verification, decisions, grants.

    draft ──compute──▶ computed ──open_verification──▶ verification ──close_verification──▶ decided
    decided ──publish_notice──▶ (公示 running) ──propose_grants──▶ granted

Candidates are computed for every enterprise the portal holds tax figures of the figures year for,
set-based: on PostgreSQL one INSERT … SELECT evaluates the conditions and bands, scales to the
line's budget by largest remainder (as `allocate`) and builds each explanation in the database;
`evaluate` is the same rule in Python (exact decimals), used on SQLite and held equal by the tests.
Each candidate keeps its explanation: the figures, each condition, the base, each band, the cap,
the unit and the scaling.
"""

import json
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from pojian.domain.calendar import notice_end
from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError

from ..models import Budget, FundingLine
from ..rd_models import RdCandidate, RdExclusion, RdSubsidyRule
from .allocation import allocate

R = RdSubsidyRule.State
ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

# The conditions, in the order the explanation shows them.
CONDITIONS = ("registered", "min_expense", "min_intensity", "growth", "not_excluded", "base_positive")


def _require(by, perm, obj=None):
    if by is None or not by.has_perm(perm, obj):
        raise PermissionDenied(_("You may not do this."))


def _audit(obj, *, by, reason):
    obj._history_user = by
    obj._change_reason = reason[:100]


# ---------------------------------------------------------------------------------------------
# The rule


def parse_bands(bands):
    """[(upper or None, rate)] as Decimals, checked; a ValidationError in the user's language otherwise."""
    message = _("Give the bands as [[upper bound in yuan or null, rate], …] with ascending bounds, "
                "rates between 0 and 1, and only the last bound open.")
    if not isinstance(bands, list) or not bands:
        raise ValidationError({"bands": message}, code="bands")
    parsed = []
    try:
        for band in bands:
            upper, rate = band
            parsed.append((None if upper is None else Decimal(str(upper)), Decimal(str(rate))))
    except (TypeError, ValueError, InvalidOperation):
        raise ValidationError({"bands": message}, code="bands") from None
    lower = ZERO
    for i, (upper, rate) in enumerate(parsed):
        if not rate.is_finite() or rate < 0 or rate > 1:
            raise ValidationError({"bands": message}, code="bands")
        if upper is None and i != len(parsed) - 1:
            raise ValidationError({"bands": message}, code="bands")
        if upper is not None:
            if not upper.is_finite() or upper <= lower:
                raise ValidationError({"bands": message}, code="bands")
            lower = upper
    return parsed


RULE_FIELDS = ("figures_year", "require_registration", "min_expense", "min_intensity", "require_growth", "base",
               "bands", "cap", "unit", "verification_days", "notice_days")


def rule_for_year(*, cycle, by):
    """The year's rule; made on first use as a copy of the latest earlier year's rule (or the defaults)."""
    _require(by, "funding.manage_rd_subsidy")
    rule = RdSubsidyRule.objects.filter(cycle=cycle).first()
    if rule is not None:
        return rule
    previous = RdSubsidyRule.objects.filter(cycle__year__lt=cycle.year).order_by("-cycle__year").first()
    rule = RdSubsidyRule(cycle=cycle, figures_year=cycle.year - 1)
    if previous is not None:
        for field in RULE_FIELDS:
            setattr(rule, field, getattr(previous, field))
        rule.figures_year = cycle.year - 1 - (previous.cycle.year - 1 - previous.figures_year)
    _audit(rule, by=by, reason=f"copied from {previous.cycle.year}" if previous else "defaults")
    rule.save()
    return rule


@transaction.atomic
def update_rule(*, rule, values, version, by):
    """Change the rule's settings; only before the bureaus verify, and never over someone else's change."""
    _require(by, "funding.manage_rd_subsidy")
    current = RdSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    if current.version != int(version):
        raise StaleEdit(_("Someone else changed this rule meanwhile; reload the page and make your change again."))
    if current.state not in (R.DRAFT, R.COMPUTED):
        raise TransitionNotAllowed(_("The rule cannot change once the bureaus verify its candidates."), code="state")
    parse_bands(values.get("bands", current.bands))
    for field in RULE_FIELDS:
        if field in values:
            setattr(current, field, values[field])
    current.state = R.DRAFT
    current.version += 1
    _audit(current, by=by, reason="rule changed")
    current.save()
    return current


# ---------------------------------------------------------------------------------------------
# Evaluation (pure: figures in, candidates out)


def band_parts(base, bands):
    """[(lower, upper, rate, part of the base, amount)] of the bands the base reaches (marginal)."""
    parts, lower = [], ZERO
    for upper, rate in bands:
        if base <= lower:
            break
        top = base if upper is None else min(base, upper)
        part = top - lower
        parts.append((lower, upper, rate, part, part * rate))
        if upper is None:
            break
        lower = upper
    return parts


def evaluate(rule, rows, *, registered, excluded, budget=None):
    """Evaluate `rows` [(enterprise_id, region_id, uscc, expense, previous, revenue)] under `rule`.

    Returns (candidates, summary): candidates are dicts with the stored fields, the explanation as
    JSON text; summary tells the total asked, the budget and whether the amounts were scaled.
    The amount by the bands is the marginal sum of `band_parts`, rounded like `tiered` (the tests
    hold the two equal); comparisons are exact (the intensity without division).
    """
    bands = parse_bands(rule.bands)
    min_expense, min_intensity = rule.min_expense, rule.min_intensity
    need_registration, need_growth = rule.require_registration, rule.require_growth
    by_increase = rule.base == RdSubsidyRule.Base.INCREASE
    cap = rule.cap
    out, requests = [], {}
    for enterprise_id, region_id, uscc, expense, previous, revenue in rows:
        failed = []
        if need_registration and enterprise_id not in registered:
            failed.append("registered")
        if expense is None or expense <= min_expense:
            failed.append("min_expense")
        if expense is None or not revenue or expense * HUNDRED < min_intensity * revenue:
            failed.append("min_intensity")
        if need_growth and (expense is None or previous is None or expense <= previous):
            failed.append("growth")
        if uscc in excluded:
            failed.append("not_excluded")
        if by_increase:
            base = (expense - previous) if (expense is not None and previous is not None) else ZERO
        else:
            base = expense or ZERO
        if base <= 0:
            failed.append("base_positive")
        if failed:
            out.append([enterprise_id, region_id, expense, previous, revenue, failed, base, ZERO, None, None])
            continue
        parts = band_parts(base, bands)
        banded = sum(p[4] for p in parts).quantize(CENT, rounding=ROUND_HALF_UP)
        out.append([enterprise_id, region_id, expense, previous, revenue, failed, base, banded, parts, None])
        requests[enterprise_id] = banded
    asked = sum((min(v, cap) if cap is not None else v for v in requests.values()), ZERO)
    scaled = budget is not None and asked > budget
    granted = allocate(requests, budget=budget if scaled else asked, cap=cap, unit=rule.unit)
    tail = (f',["scaled","{budget}","{asked}"]' if scaled else "") + f',["unit","{rule.unit}"'
    candidates = []
    for enterprise_id, region_id, expense, previous, revenue, failed, base, banded, parts, _x in out:
        computed = granted.get(enterprise_id, ZERO)
        if parts is None:
            explanation = '[["not_qualified",' + ",".join(f'"{f}"' for f in failed) + "]]"
            band_index = None
        else:
            steps = [f'["base","{rule.base}","{base}"]']
            steps.extend(f'["band","{lo}",{"null" if up is None else f"{chr(34)}{up}{chr(34)}"},"{rate}","{part}","{amount}"]'
                         for lo, up, rate, part, amount in parts)
            steps.append(f'["banded","{banded}"]')
            if cap is not None and banded > cap:
                steps.append(f'["cap","{cap}"]')
            explanation = "[" + ",".join(steps) + tail + f',"{computed}"]]'
            band_index = len(parts) - 1
        candidates.append({
            "enterprise_id": enterprise_id, "region_id": region_id, "expense": expense, "previous": previous,
            "revenue": revenue, "qualified": not failed, "failed": failed, "base": base, "banded": banded,
            "computed": computed, "band_index": band_index, "explanation": explanation,
        })
    return candidates, {"asked": asked, "budget": budget, "scaled": scaled, "candidates": len(candidates),
                        "qualified": len(requests), "total": sum(granted.values(), ZERO)}


def conditions(rule_snapshot, candidate):
    """[(code, met, value, threshold)] of the conditions the rule checked, for the candidate page."""
    failed = set(candidate.failed)
    expense, previous, revenue = candidate.expense, candidate.previous_expense, candidate.revenue
    intensity = (expense * HUNDRED / revenue).quantize(CENT) if expense is not None and revenue else None
    rows = []
    if rule_snapshot.get("require_registration"):
        rows.append(("registered", "registered" not in failed, None, None))
    rows.append(("min_expense", "min_expense" not in failed, expense, rule_snapshot.get("min_expense")))
    rows.append(("min_intensity", "min_intensity" not in failed, intensity, rule_snapshot.get("min_intensity")))
    if rule_snapshot.get("require_growth"):
        rows.append(("growth", "growth" not in failed, expense, previous))
    rows.append(("not_excluded", "not_excluded" not in failed, None, None))
    rows.append(("base_positive", "base_positive" not in failed, candidate.base_amount, None))
    return rows


# ---------------------------------------------------------------------------------------------
# Computing the year's candidates


def _figures(rule):
    """[(enterprise_id, region_id, uscc, expense, previous, revenue)] for every enterprise with tax figures."""
    sql = """
        SELECT e.id, e.region_id, e.uscc, cur.rd_expense_tax, prev.rd_expense_tax, cur.revenue_tax
          FROM enterprises_enterpriseyear cur
          JOIN enterprises_enterprise e ON e.id = cur.enterprise_id
          LEFT JOIN enterprises_enterpriseyear prev ON prev.enterprise_id = cur.enterprise_id AND prev.year = %s
         WHERE cur.year = %s AND (cur.rd_expense_tax IS NOT NULL OR cur.revenue_tax IS NOT NULL)
         ORDER BY e.id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [rule.figures_year - 1, rule.figures_year])
        return cursor.fetchall()


def _registered(rule):
    from enterprises.models import Registration

    return set(Registration.objects.filter(year=rule.cycle.year).values_list("enterprise_id", flat=True))


def _excluded(rule):
    return set(RdExclusion.objects.filter(cycle_id=rule.cycle_id).values_list("uscc", flat=True))


def _budget(rule):
    line = FundingLine.objects.filter(code=FundingLine.RD_POST).first()
    budget = Budget.objects.filter(cycle_id=rule.cycle_id, line=line).first() if line else None
    return budget.amount if budget else None


COLUMNS = ("rule_id", "enterprise_id", "region_id", "expense", "previous_expense", "revenue", "qualified", "failed",
           "base_amount", "banded", "computed", "band_index", "explanation", "verification", "verification_reason",
           "decision", "decision_reason", "adjust_reason", "version")


def _write(rule, candidates):
    """Store the Python evaluation (the SQLite path; PostgreSQL computes and stores in `_compute_sql`)."""
    RdCandidate.objects.bulk_create([
        RdCandidate(rule=rule, enterprise_id=c["enterprise_id"], region_id=c["region_id"], expense=c["expense"],
                    previous_expense=c["previous"], revenue=c["revenue"], qualified=c["qualified"],
                    failed=c["failed"], base_amount=c["base"], banded=c["banded"], computed=c["computed"],
                    band_index=c["band_index"], explanation=json.loads(c["explanation"]))
        for c in candidates
    ], batch_size=2000)


def _json(value):
    """A constant as the JSON text the explanation holds (built as text in SQL, parsed once per row)."""
    return json.dumps(value, ensure_ascii=False)


def _band_sql(bands):
    """SQL pieces for the marginal bands: per band the part of the base in it and its amount (NULL
    where the base does not reach it), and the explanation steps, as `band_parts` and `evaluate` do.

    PostgreSQL numeric keeps the scales Python's Decimal keeps (a difference has the larger scale,
    a product the sum of the scales), and `least` returns its first argument on a tie like `min`, so
    each number's text in the explanation is the same as the Python evaluation's (tests hold them equal).
    """
    columns, steps, params_cols, params_steps = [], [], [], []
    lower = ZERO
    for i, (upper, rate) in enumerate(bands):
        top = "b" if upper is None else "least(b, %s::numeric)"
        columns.append(f"CASE WHEN b > %s::numeric THEN ({top} - %s::numeric) END AS p{i}")
        params_cols.extend([str(lower)] + ([] if upper is None else [str(upper)]) + [str(lower)])
        steps.append(f"""CASE WHEN p{i} IS NULL THEN '' ELSE ',["band",' || %s::text || ',' || %s::text || ','
                         || %s::text || ',"' || p{i}::text || '","' || (p{i} * %s::numeric)::text || '"]' END""")
        params_steps.extend([_json(str(lower)), _json(None if upper is None else str(upper)), _json(str(rate)),
                             str(rate)])
        if upper is None:
            break
        lower = upper
    amounts = " + ".join(f"coalesce(p{i} * %s::numeric, 0)" for i in range(len(columns)))
    params_amounts = [str(rate) for _u, rate in bands[:len(columns)]]
    reached = " + ".join(f"(p{i} IS NOT NULL)::int" for i in range(len(columns)))
    return {"columns": ", ".join(columns), "params_cols": params_cols, "amounts": amounts,
            "params_amounts": params_amounts, "reached": reached, "steps": " || ".join(steps),
            "params_steps": params_steps}


def _compute_sql(rule, budget):
    """Evaluate, allocate and store every candidate in one INSERT … SELECT (PostgreSQL).

    The same rule as `evaluate` + `allocate`, set-based: the conditions and the bands per row,
    the budget's largest remainder with window functions over exact numerics (`div`/`mod`, never a
    rounded quotient), the explanation built as JSON text in the database and parsed once. No row travels to Python.
    """
    bands = parse_bands(rule.bands)
    band = _band_sql(bands)
    by_increase = rule.base == RdSubsidyRule.Base.INCREASE
    base_expr = ("CASE WHEN x IS NOT NULL AND p IS NOT NULL THEN x - p ELSE 0 END" if by_increase
                 else "coalesce(x, 0)")
    failed = ", ".join([
        "CASE WHEN %s AND NOT reg THEN 'registered' END",
        "CASE WHEN x IS NULL OR x <= %s::numeric THEN 'min_expense' END",
        "CASE WHEN x IS NULL OR coalesce(v, 0) = 0 OR x * 100 < %s::numeric * v THEN 'min_intensity' END",
        "CASE WHEN %s AND (x IS NULL OR p IS NULL OR x <= p) THEN 'growth' END",
        "CASE WHEN excl THEN 'not_excluded' END",
        "CASE WHEN b <= 0 THEN 'base_positive' END",
    ])
    cap = None if rule.cap is None else str(rule.cap)
    unit = str(rule.unit)
    budget_text = None if budget is None else str(budget)
    sql = f"""
    WITH fig AS (
        SELECT e.id AS eid, e.region_id AS rid, cur.rd_expense_tax AS x, prev.rd_expense_tax AS p,
               cur.revenue_tax AS v, reg.enterprise_id IS NOT NULL AS reg, excl.id IS NOT NULL AS excl
          FROM enterprises_enterpriseyear cur
          JOIN enterprises_enterprise e ON e.id = cur.enterprise_id
          LEFT JOIN enterprises_enterpriseyear prev ON prev.enterprise_id = cur.enterprise_id AND prev.year = %s
          LEFT JOIN (SELECT DISTINCT enterprise_id FROM enterprises_registration WHERE year = %s) reg
                 ON reg.enterprise_id = e.id
          LEFT JOIN funding_rdexclusion excl ON excl.cycle_id = %s AND excl.uscc = e.uscc
         WHERE cur.year = %s AND (cur.rd_expense_tax IS NOT NULL OR cur.revenue_tax IS NOT NULL)
    ), based AS (
        SELECT fig.*, ({base_expr})::numeric AS b FROM fig
    ), ev AS MATERIALIZED (  -- each row's conditions evaluated once, not once per reference
        SELECT based.*, array_remove(ARRAY[{failed}]::text[], NULL) AS failed FROM based
    ), parted AS (
        SELECT ev.*, cardinality(failed) = 0 AS q, {band["columns"]} FROM ev
    ), banded AS (
        SELECT parted.*, CASE WHEN q THEN round({band["amounts"]}, 2) ELSE 0 END AS banded,
               CASE WHEN q THEN ({band["reached"]}) - 1 END AS band_index
          FROM parted
    ), capped AS (
        SELECT banded.*, CASE WHEN q THEN least(banded, %s::numeric) END AS c FROM banded
    ), tot AS (
        SELECT coalesce(sum(c), 0) AS asked, (%s::numeric IS NOT NULL AND coalesce(sum(c), 0) > %s::numeric) AS scaled
          FROM capped
    ), shares AS (
        SELECT capped.*, tot.asked, tot.scaled,
               CASE WHEN NOT q THEN 0
                    WHEN tot.scaled THEN div(c * %s::numeric, tot.asked * %s::numeric)
                    ELSE div(c, %s::numeric) END AS whole,
               CASE WHEN q AND tot.scaled THEN mod(c * %s::numeric, tot.asked * %s::numeric) END AS rem
          FROM capped, tot
    ), eligible AS (
        SELECT shares.*, (scaled AND q AND rem > 0 AND (whole + 1) * %s::numeric <= c) AS el,
               sum(whole) OVER () AS sum_whole
          FROM shares
    ), ranked AS (
        SELECT eligible.*, row_number() OVER (PARTITION BY el ORDER BY rem DESC, eid) AS rn FROM eligible
    ), final AS (
        SELECT ranked.*,
               CASE WHEN q THEN (whole + CASE WHEN el AND rn <= div(%s::numeric, %s::numeric) - sum_whole
                                              THEN 1 ELSE 0 END) * %s::numeric
                    ELSE 0 END AS computed
          FROM ranked
    )
    INSERT INTO {RdCandidate._meta.db_table} ({", ".join(COLUMNS)})
    SELECT %s, eid, rid, x, p, v, q,
           (CASE WHEN q THEN '[]' ELSE '["' || array_to_string(failed, '","') || '"]' END)::jsonb, b, banded, computed, band_index,
           (CASE WHEN NOT q THEN '[["not_qualified","' || array_to_string(failed, '","') || '"]]'
                ELSE '[["base",' || %s::text || ',"' || b::text || '"]'
                     || {band["steps"]}
                     || ',["banded","' || banded::text || '"]'
                     || CASE WHEN %s::numeric IS NOT NULL AND banded > %s::numeric
                             THEN ',["cap",' || %s::text || ']' ELSE '' END
                     || CASE WHEN scaled THEN ',["scaled",' || %s::text || ',"' || asked::text || '"]' ELSE '' END
                     || ',["unit",' || %s::text || ',"' || computed::text || '"]]'
           END)::jsonb,
           'pending', '', '', '', '', 1
      FROM final
    """
    params = [rule.figures_year - 1, rule.cycle.year, rule.cycle_id, rule.figures_year]
    params += [rule.require_registration, str(rule.min_expense), str(rule.min_intensity), rule.require_growth]
    params += band["params_cols"] + band["params_amounts"]
    params += [cap, budget_text, budget_text]
    params += [budget_text, unit, unit, budget_text, unit, unit, budget_text, unit, unit]
    params += [rule.pk, _json(rule.base)] + band["params_steps"] + [cap, cap, _json(cap), _json(budget_text),
                                                                      _json(unit)]
    with connection.cursor() as cursor:
        # The ranking of remainders sorts every row: in memory, not in temporary files (this transaction only).
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL jit = off")  # compiling the expressions costs more than it saves here
        cursor.execute(sql, params)
        cursor.execute(f"""
            SELECT count(*), count(*) FILTER (WHERE qualified), coalesce(sum(computed), 0),
                   coalesce(sum(CASE WHEN qualified THEN least(banded, %s::numeric) END), 0)
              FROM {RdCandidate._meta.db_table} WHERE rule_id = %s""", [cap, rule.pk])
        n, qualified, total, asked = cursor.fetchone()
    scaled = budget is not None and asked > budget
    return {"asked": asked, "budget": budget, "scaled": scaled, "candidates": n, "qualified": qualified,
            "total": total}


def compute_candidates(*, rule, by=None, progress=None):
    """Replace the rule's candidates by a fresh computation (draft or computed rules only)."""
    progress = progress or (lambda *a, **k: None)
    with transaction.atomic():
        rule = RdSubsidyRule.objects.select_for_update().select_related("cycle").get(pk=rule.pk)
        if rule.state not in (R.DRAFT, R.COMPUTED):
            raise TransitionNotAllowed(_("The candidates cannot be computed again once the bureaus verify them."),
                                       code="state")
        budget = _budget(rule)
        # One DELETE (no per-row signals or history): before verification nothing refers to these rows.
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {RdCandidate._meta.db_table} WHERE rule_id = %s", [rule.pk])
        if connection.vendor == "postgresql":
            progress(1, 4, _("Applying the rule"), force=True)
            summary = _compute_sql(rule, budget)
            progress(2, 4, _("Storing the candidates"), force=True)
        else:  # SQLite (a newcomer's checkout): the same rule evaluated in Python
            progress(0, 4, _("Reading the tax figures"), force=True)
            rows = _figures(rule)
            registered, excluded = _registered(rule), _excluded(rule)
            progress(1, 4, _("Applying the rule"), force=True)
            candidates, summary = evaluate(rule, rows, registered=registered, excluded=excluded, budget=budget)
            progress(2, 4, _("Storing the candidates"), force=True)
            _write(rule, candidates)
        rule.state, rule.computed_at = R.COMPUTED, timezone.now()
        rule.budget_total, rule.scaled = budget, summary["scaled"]
        rule.computed_rule = rule.snapshot()
        rule.version += 1
        _audit(rule, by=by, reason="candidates computed")
        rule.save()
        progress(4, 4, force=True)
    return summary


def compute_job(job, progress):
    """The Celery job: compute the candidates of the rule named in the job's parameters."""
    rule = RdSubsidyRule.objects.get(pk=job.params["rule_id"])
    summary = compute_candidates(rule=rule, by=job.created_by, progress=progress)
    return _("%(candidates)s enterprises with tax figures, %(qualified)s qualify, %(total)s yuan in all.") % {
        "candidates": summary["candidates"], "qualified": summary["qualified"], "total": f"{summary['total']:,.2f}"}


# ---------------------------------------------------------------------------------------------
# The exclusion list (失信), all or nothing


def import_exclusions(*, cycle, rows, by):
    """Replace the year's exclusion list by `rows` [(uscc, name, reason)]; every bad row is listed, nothing changes."""
    from pojian.domain.uscc import is_valid as is_valid_uscc

    _require(by, "funding.manage_rd_subsidy")
    errors, seen, clean = [], set(), []
    for number, (uscc, name, reason) in enumerate(rows, start=2):
        uscc, name, reason = (str(uscc or "").strip().upper(), str(name or "").strip(), str(reason or "").strip())
        if not is_valid_uscc(uscc):
            errors.append(_("Row %(row)s: “%(uscc)s” is not a valid unified social credit code.")
                          % {"row": number, "uscc": uscc})
        elif uscc in seen:
            errors.append(_("Row %(row)s: %(uscc)s is listed twice.") % {"row": number, "uscc": uscc})
        if not reason:
            errors.append(_("Row %(row)s: the reason is missing.") % {"row": number})
        seen.add(uscc)
        clean.append((uscc, name[:200], reason[:300]))
    if not clean and not errors:
        errors.append(_("The file has no rows."))
    if errors:
        raise ValidationError(errors, code="import")
    with transaction.atomic():
        RdExclusion.objects.filter(cycle=cycle).delete()
        RdExclusion.objects.bulk_create(
            RdExclusion(cycle=cycle, uscc=u, name=n, reason=r, imported_by=by) for u, n, r in clean)
    return len(clean)


# ---------------------------------------------------------------------------------------------
# Verification by the bureaus, decisions by the office


@transaction.atomic
def open_verification(*, rule, by, today=None):
    """computed → verification; the deadline is counted in working days from today."""
    _require(by, "funding.manage_rd_subsidy")
    current = RdSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    if current.state != R.COMPUTED:
        raise TransitionNotAllowed(_("Compute the candidates first."), code="state")
    today = today or timezone.localdate()
    current.verification_opens = today
    current.verification_due = notice_end(today, current.verification_days)
    current.state = R.VERIFICATION
    current.version += 1
    _audit(current, by=by, reason="verification opened")
    current.save()
    from pojian.domain.notifications import notify
    from pojian.models import User

    region_ids = set(RdCandidate.objects.filter(rule=current, qualified=True).values_list("region_id", flat=True))
    notify(User.objects.filter(role=User.Role.BUREAU, region_id__in=region_ids, is_active=True),
           subject=_("%(year)s R&D post-subsidy: verify your region's candidates by %(due)s")
           % {"year": current.cycle.year, "due": current.verification_due.isoformat()},
           url=reverse("funding:rd_candidates"), by=by, next_step=_("Confirm or dispute each candidate, with a reason."))
    return current


def _locked_candidate(candidate):
    return RdCandidate.objects.select_for_update().select_related("rule", "rule__cycle").get(pk=candidate.pk)


def _check_version(current, version):
    if version is not None and current.version != int(version):
        raise StaleEdit(_("Someone else changed this candidate meanwhile; reload the page and try again."))


@transaction.atomic
def verify_candidate(*, candidate, confirm, reason="", by, version=None, today=None):
    """The bureau confirms its candidate, or disputes it with a reason (迁出, 经营异常 …), before the deadline."""
    _require(by, "funding.verify_rd_candidate", candidate)
    current = _locked_candidate(candidate)
    _check_version(current, version)
    rule = current.rule
    today = today or timezone.localdate()
    if rule.state != R.VERIFICATION:
        raise TransitionNotAllowed(_("The candidates are not open for verification."), code="state")
    if today > rule.verification_due:
        raise TransitionNotAllowed(_("The verification deadline (%(due)s) has passed.")
                                   % {"due": rule.verification_due.isoformat()}, code="late")
    if not current.qualified:
        raise TransitionNotAllowed(_("Only qualifying candidates are verified."), code="not_qualified")
    reason = (reason or "").strip() if confirm else _reason(reason, _("Give the reason for the dispute."))
    V = RdCandidate.Verification
    current.verification = V.CONFIRMED if confirm else V.DISPUTED
    current.verification_reason = reason
    current.verified_by, current.verified_at = by, timezone.now()
    return _save_candidate(current, by=by, reason=f"{current.verification}: {reason}")


def _office_change(candidate, *, by, version, state_message):
    """The candidate locked for an office change: permission, version and the rule's state checked."""
    _require(by, "funding.manage_rd_subsidy")
    current = _locked_candidate(candidate)
    _check_version(current, version)
    if current.rule.state not in (R.VERIFICATION, R.DECIDED):
        raise TransitionNotAllowed(state_message, code="state")
    return current


def _reason(reason, message):
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message}, code="reason")
    return reason


def _save_candidate(current, *, by, reason):
    current.version += 1
    _audit(current, by=by, reason=reason)
    current.save()
    return current


@transaction.atomic
def decide_candidate(*, candidate, keep, reason, by, version=None):
    """The office decides a disputed candidate: kept or excluded, always with a reason."""
    current = _office_change(candidate, by=by, version=version,
                             state_message=_("Decisions are taken during or after the verification."))
    if current.verification != RdCandidate.Verification.DISPUTED:
        raise TransitionNotAllowed(_("Only a disputed candidate needs a decision."), code="not_disputed")
    reason = _reason(reason, _("Give the reason for the decision."))
    current.decision = RdCandidate.Decision.KEPT if keep else RdCandidate.Decision.EXCLUDED
    current.decision_reason, current.decided_by = reason, by
    return _save_candidate(current, by=by, reason=f"{current.decision}: {reason}")


@transaction.atomic
def adjust_amount(*, candidate, amount, reason, by, version=None):
    """The office sets another amount for a qualifying candidate, only with a reason."""
    current = _office_change(candidate, by=by, version=version,
                             state_message=_("Amounts are adjusted during or after the verification."))
    if not current.qualified:
        raise TransitionNotAllowed(_("Only qualifying candidates are verified."), code="not_qualified")
    reason = _reason(reason, _("Give the reason for the adjustment."))
    try:
        amount = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError({"amount": _("Enter an amount in yuan.")}, code="invalid") from None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Amounts are in yuan with at most two decimals.")}, code="invalid")
    current.adjusted_amount, current.adjust_reason, current.decided_by = amount, reason, by
    return _save_candidate(current, by=by, reason=f"adjust {amount}: {reason}")


@transaction.atomic
def close_verification(*, rule, by, today=None):
    """verification → decided, after the deadline and once every dispute is decided.

    A candidate its bureau did not verify by the deadline counts as confirmed.
    """
    _require(by, "funding.manage_rd_subsidy")
    current = RdSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    today = today or timezone.localdate()
    if current.state != R.VERIFICATION:
        raise TransitionNotAllowed(_("The candidates are not open for verification."), code="state")
    if today <= current.verification_due:
        raise TransitionNotAllowed(_("The verification runs until %(due)s.")
                                   % {"due": current.verification_due.isoformat()}, code="early")
    open_disputes = RdCandidate.objects.filter(rule=current, verification=RdCandidate.Verification.DISPUTED,
                                               decision="").count()
    if open_disputes:
        raise TransitionNotAllowed(_("%(n)s disputes still wait for the office's decision.") % {"n": open_disputes},
                                   code="disputes")
    current.state = R.DECIDED
    current.version += 1
    _audit(current, by=by, reason="verification closed")
    current.save()
    return current


def listed(rule):
    """The candidates on the year's list: qualifying, not excluded, with an amount."""
    from django.db.models import Q

    return (RdCandidate.objects.filter(rule=rule, qualified=True)
            .exclude(decision=RdCandidate.Decision.EXCLUDED)
            .exclude(Q(adjusted_amount__isnull=True, computed=0) | Q(adjusted_amount=0))
            .select_related("enterprise", "region"))


@transaction.atomic
def publish_notice(*, rule, by, starts):
    """The 公示 of the decided list for the rule's working days, from `starts` (calendar required)."""
    from reviews.domain.notices import notice_period

    _require(by, "funding.manage_rd_subsidy")
    current = RdSubsidyRule.objects.select_for_update().get(pk=rule.pk)
    if current.state != R.DECIDED:
        raise TransitionNotAllowed(_("Close the verification before the public notice."), code="state")
    if current.notice_starts is not None:
        raise TransitionNotAllowed(_("The public notice is already published."), code="published")
    current.notice_starts, current.notice_ends = notice_period(starts, current.notice_days)
    current.version += 1
    _audit(current, by=by, reason="notice published")
    current.save()
    return current


# ---------------------------------------------------------------------------------------------
# Objections (异议) during the 公示: the review rounds' checks and limit (reviews.domain.notices)


def notice_running(rule, today=None):
    today = today or timezone.localdate()
    return (rule.notice_starts is not None and rule.state == R.DECIDED
            and rule.notice_starts <= today <= rule.notice_ends)


def submit_objection(*, rule, candidate, address, today=None, **contact):
    """Anyone objects to a name on the list during the 公示, with name, work unit, telephone and reason
    (`contact`: objector, unit, phone, content)."""
    from reviews.domain import notices

    from ..rd_models import RdObjection

    today = today or timezone.localdate()
    return notices.take_online_objection(model=RdObjection, rule=rule, listed=listed(rule), candidate=candidate,
                                         running=notice_running(rule, today), address=address, today=today, **contact)


@transaction.atomic
def decide_objection(*, objection, outcome, reason, by):
    """The office upholds or dismisses an objection, with a reason; upheld takes the enterprise off the list."""
    from reviews.domain import notices

    _require(by, "funding.manage_rd_subsidy")

    def still_open(current):
        if RdSubsidyRule.objects.select_for_update().get(pk=current.rule_id).state != R.DECIDED:
            raise TransitionNotAllowed(_("Grants are already proposed for this list."), code="state")

    current = notices.decide_online_objection(objection=objection, outcome=outcome, reason=reason, by=by,
                                              still_open=still_open)
    if outcome == current.Outcome.UPHELD:
        candidate = _locked_candidate(current.candidate)
        candidate.decision = RdCandidate.Decision.EXCLUDED
        candidate.decision_reason = _("Objection upheld: %(reason)s") % {"reason": current.outcome_reason}
        candidate.decided_by = by
        _save_candidate(candidate, by=by, reason=f"objection upheld: {current.outcome_reason}")
    return current


def propose_grants(*, rule, by, today=None):
    """After the 公示 has ended: one proposed grant in the ledger per listed enterprise."""
    from .grants import propose_grant

    _require(by, "funding.manage_rd_subsidy")
    today = today or timezone.localdate()
    with transaction.atomic():
        current = RdSubsidyRule.objects.select_for_update().select_related("cycle").get(pk=rule.pk)
        if current.state != R.DECIDED or current.notice_ends is None or today <= current.notice_ends:
            raise TransitionNotAllowed(_("Grants are proposed once the public notice has ended."), code="state")
        if current.objections.filter(outcome="pending").exists():
            raise TransitionNotAllowed(_("Decide every objection first."), code="objections")
        line = FundingLine.objects.get(code=FundingLine.RD_POST)
        made = 0
        for candidate in listed(current).filter(grant__isnull=True).select_for_update(of=("self",)):
            grant = propose_grant(cycle=current.cycle, line=line, beneficiary=candidate.enterprise,
                                  amount=candidate.amount, by=by, region=candidate.region, source=candidate,
                                  source_label=_("R&D post-subsidy %(year)s") % {"year": current.cycle.year})
            candidate.grant = grant
            _audit(candidate, by=by, reason="grant proposed")
            candidate.save(update_fields=["grant"])
            made += 1
        current.state = R.GRANTED
        current.version += 1
        _audit(current, by=by, reason="grants proposed")
        current.save()
    return made


def report(rule):
    """The year's figures for the dashboard: amounts by region, industry and band; how many grew."""
    from django.db.models import Count, F, Sum

    listed_qs = listed(rule)
    by = {}
    for key, field in (("region", "region__name"), ("industry", "enterprise__industry"), ("band", "band_index")):
        by[key] = list(listed_qs.values(label=F(field)).annotate(n=Count("pk"), total=Sum("computed"))
                       .order_by("label"))
    grew = RdCandidate.objects.filter(rule=rule, expense__gt=F("previous_expense")).count()
    with_previous = RdCandidate.objects.filter(rule=rule, previous_expense__isnull=False).count()
    return {**by, "grew": grew, "with_previous": with_previous}
