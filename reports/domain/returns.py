"""Statistics returns (统计报表): the office defines one, the bureaus file it, the office watches.

The policy: 各级科技管理部门要建立统计分析报告制度,加强日常监测和工作调度. A return asks for a
list of fields for one month or quarter and is due a number of working days after the period
ends (the portal's holiday calendar; a year not loaded is refused, never guessed). City bureaus,
and county bureaus when the return says so, file it once each; a filing may be corrected while
the return is open (optimistic lock). Fields with a source are filled in from what the portal
already knows. Reminders go out by Celery beat before the deadline and to the late ones after it.
"""

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pojian.domain.calendar import notice_end, working_days_before
from pojian.domain.concurrency import save_versioned
from pojian.domain.errors import PermissionDenied, StaleEdit, TransitionNotAllowed, ValidationError
from pojian.domain.notifications import notify, office_users
from pojian.models import Region, User

from ..models import ReturnBulletin, ReturnFiling, StatisticsReturn

KINDS = {"int": gettext_lazy("Whole number"), "decimal": gettext_lazy("Amount"), "text": gettext_lazy("Text")}
MAX_FIELDS = 30
# Working days before the deadline on which the bureaus that have not filed are reminded.
REMIND_BEFORE = (3, 1)


def _nominations(region, start, end):
    from enterprises.models import EnterpriseNomination

    return EnterpriseNomination.objects.filter(
        region=region, submitted_at__date__gte=start, submitted_at__date__lte=end
    ).count()


def _contracts(region, start, end):
    from techtransfer.models import TechContract

    return TechContract.objects.in_force().filter(enterprise__region=region, registered_on__range=(start, end)).count()


def _contract_value(region, start, end):
    from django.db.models import Sum

    from techtransfer.models import TechContract

    total = TechContract.objects.in_force().filter(enterprise__region=region, registered_on__range=(start, end)).aggregate(
        s=Sum("tech_amount")
    )["s"]
    return total or Decimal("0")


# What the portal already knows, by source key: (label, kind, function(region, start, end)).
# The portal's records are the cities'; a county's filing starts empty.
SOURCES = {
    "nominations": (gettext_lazy("Enterprise nominations submitted in the period"), "int", _nominations),
    "contracts": (gettext_lazy("Technology contracts registered in the period"), "int", _contracts),
    "contract_value": (gettext_lazy("Technology transaction value of those contracts (yuan)"), "decimal",
                       _contract_value),
}


def period_bounds(period, start):
    """(first day, last day) of the month or quarter that begins on `start` (which must begin one)."""
    if start.day != 1 or (period == StatisticsReturn.Period.QUARTERLY and start.month not in (1, 4, 7, 10)):
        raise ValidationError(
            _("A period begins on the first day of a month (a quarter: of January, April, July or October)."),
            code="period_start",
        )
    months = 3 if period == StatisticsReturn.Period.QUARTERLY else 1
    last_month = start.month + months - 1
    return start, date(start.year, last_month, calendar.monthrange(start.year, last_month)[1])


def clean_fields(rows):
    """The return's field list, checked: keys unique and simple, kinds known, sources known."""
    cleaned, seen, problems = [], set(), []
    for n, row in enumerate(rows or [], start=1):
        label = str(row.get("label", "")).strip()
        source = str(row.get("source", "") or "").strip()
        kind = SOURCES[source][1] if source in SOURCES else str(row.get("kind", "int")).strip()
        key = str(row.get("key", "") or source or f"f{n}").strip()
        if not label and source in SOURCES:
            label = str(SOURCES[source][0])
        if not label:
            problems.append(_("Field %(n)s: give it a name.") % {"n": n})
        if source and source not in SOURCES:
            problems.append(_("Field %(n)s: unknown source “%(source)s”.") % {"n": n, "source": source})
        if kind not in KINDS:
            problems.append(_("Field %(n)s: unknown kind “%(kind)s”.") % {"n": n, "kind": kind})
        if not key.isidentifier() or key in seen:
            problems.append(_("Field %(n)s: the key “%(key)s” is not a unique simple name.") % {"n": n, "key": key})
        seen.add(key)
        cleaned.append({"key": key, "label": label[:100], "kind": kind, "source": source})
    if not cleaned:
        problems.append(_("A return needs at least one field."))
    if len(cleaned) > MAX_FIELDS:
        problems.append(_("A return has at most %(n)s fields.") % {"n": MAX_FIELDS})
    if problems:
        raise ValidationError(problems, code="fields")
    return cleaned


def define_return(*, by, title, period, period_start, fields, due_working_days, include_counties=False):
    """The office defines a return (a draft): its fields, its period and its deadline in working days."""
    if not by.has_perm("reports.manage_returns"):
        raise PermissionDenied(_("Only the provincial office defines statistics returns."))
    title = (title or "").strip()
    if not title:
        raise ValidationError(_("Give the return a title."), code="title")
    if period not in StatisticsReturn.Period.values:
        raise ValidationError(_("Choose monthly or quarterly."), code="period")
    due_working_days = int(due_working_days)
    if not 1 <= due_working_days <= 60:
        raise ValidationError(_("A return is due 1 to 60 working days after its period ends."), code="due")
    start, end = period_bounds(period, period_start)
    due_on = notice_end(end + timedelta(days=1), due_working_days)  # CalendarMissing: a clear refusal
    ret = StatisticsReturn(
        title=title, period=period, period_start=start, period_end=end, due_working_days=due_working_days,
        due_on=due_on, include_counties=bool(include_counties), fields=clean_fields(fields), created_by=by,
    )
    ret._history_user = by
    ret._change_reason = "define"
    ret.save()
    return ret


def expected_filers(ret):
    """The regions that must file this return: the active nominating units, and their counties if asked."""
    regions = list(Region.objects.nominating().filter(active=True))
    if ret.include_counties:
        regions += list(Region.objects.counties().filter(active=True).select_related("parent"))
    return regions


def _filer_users(regions):
    return User.objects.filter(
        role__in=[User.Role.BUREAU, User.Role.COUNTY], region__in=regions, is_active=True
    ).select_related("region")


def open_return(ret, *, by):
    """The office opens a draft return for filing; every bureau that must file it is told."""
    if not by.has_perm("reports.manage_returns"):
        raise PermissionDenied(_("Only the provincial office defines statistics returns."))
    with transaction.atomic():
        current = StatisticsReturn.objects.select_for_update().get(pk=ret.pk)
        if current.status != StatisticsReturn.Status.DRAFT:
            raise TransitionNotAllowed(_("Only a draft return can be opened."), code="state")
        current.status = StatisticsReturn.Status.OPEN
        current.opened_at = timezone.now()
        current._history_user = by
        current._change_reason = "open"
        current.save()
        notify(
            _filer_users(expected_filers(current)),
            subject=_("Statistics return to file: %(title)s") % {"title": current.title},
            body=_("Period %(start)s to %(end)s; due %(due)s.") % _period_words(current),
            url=reverse("reports:return_file", args=[current.pk]), by=by,
            next_step=_("File the return before it is due."),
        )
    return current


def close_return(ret, *, by):
    if not by.has_perm("reports.manage_returns"):
        raise PermissionDenied(_("Only the provincial office defines statistics returns."))
    with transaction.atomic():
        current = StatisticsReturn.objects.select_for_update().get(pk=ret.pk)
        if current.status != StatisticsReturn.Status.OPEN:
            raise TransitionNotAllowed(_("Only an open return can be closed."), code="state")
        current.status = StatisticsReturn.Status.CLOSED
        current._history_user = by
        current._change_reason = "close"
        current.save()
    return current


def _period_words(ret):
    return {"start": f"{ret.period_start:%Y-%m-%d}", "end": f"{ret.period_end:%Y-%m-%d}", "due": f"{ret.due_on:%Y-%m-%d}"}


def prefilled(ret, region):
    """The values the portal already knows for this region and period ({key: value}); a county's are empty."""
    values = {}
    if region.is_county:
        return values
    for field in ret.fields:
        source = SOURCES.get(field.get("source") or "")
        if source:
            values[field["key"]] = source[2](region, ret.period_start, ret.period_end)
    return values


def parse_values(ret, raw):
    """The typed values of a filing ({key: str}) checked against the return's fields; every problem listed."""
    values, problems = {}, []
    for field in ret.fields:
        text = str(raw.get(field["key"], "") or "").strip().replace(",", "").replace("，", "")
        if text == "":
            problems.append(_("“%(label)s”: fill it in (0 when there is nothing).") % {"label": field["label"]})
            continue
        if field["kind"] == "text":
            values[field["key"]] = text[:2000]
            continue
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or abs(number) >= Decimal("1e15"):
            problems.append(_("“%(label)s”: “%(value)s” is not a number of zero or more.") % {
                "label": field["label"], "value": text[:30]})
            continue
        if field["kind"] == "int":
            if number != number.to_integral_value():
                problems.append(_("“%(label)s”: a whole number, please.") % {"label": field["label"]})
                continue
            values[field["key"]] = int(number)
        else:
            values[field["key"]] = str(number.quantize(Decimal("0.01")))
    if problems:
        raise ValidationError(problems, code="values")
    return values


def file_return(ret, *, by, values, expected_version=None):
    """A bureau (city or county) files, or corrects, its region's return while the return is open.

    `values` as typed ({key: text}); `expected_version` is the filing's version the form showed
    (None for a first filing). A stale correction is refused and nothing is overwritten.
    """
    region = by.region
    if not by.has_perm("reports.file_return", ret):
        raise PermissionDenied(_("Your bureau does not file this return."))
    if ret.status != StatisticsReturn.Status.OPEN:
        raise ValidationError(_("This return is not open for filing."), code="closed")
    clean = parse_values(ret, values)
    now = timezone.now()
    late = timezone.localdate(now) > ret.due_on
    with transaction.atomic():
        filing = ReturnFiling.objects.select_for_update().filter(statistics_return=ret, region=region).first()
        if filing is None:
            if expected_version not in (None, "", 0, "0"):
                raise StaleEdit(_("Someone else filed this return in the meantime. Reload the page."), code="stale")
            filing = ReturnFiling(statistics_return=ret, region=region, values=clean, filed_by=by, filed_at=now,
                                  late=late)
            filing._history_user = by
            filing._change_reason = "file"
            try:
                with transaction.atomic():
                    filing.save()
            except IntegrityError as e:
                raise StaleEdit(_("Someone else filed this return in the meantime. Reload the page."),
                                code="stale") from e
        else:
            if expected_version in (None, ""):
                raise StaleEdit(_("This return was filed already. Reload the page to correct it."), code="stale")
            filing.values, filing.filed_by, filing.filed_at = clean, by, now
            filing.late = filing.late or late
            filing._history_user = by
            filing._change_reason = "correct"
            save_versioned(filing, expected_version=int(expected_version))
    return filing


def filing_of(ret, region):
    return ReturnFiling.objects.filter(statistics_return=ret, region=region).first()


def completeness(ret, *, today=None):
    """Who filed: one row per expected filer (region, filing, state) and the counts."""
    today = today or timezone.localdate()
    filings = {f.region_id: f for f in ret.filings.select_related("filed_by")}
    rows = []
    for region in expected_filers(ret):
        filing = filings.get(region.pk)
        if filing is not None:
            state = "late" if filing.late else "filed"
        else:
            state = "overdue" if today > ret.due_on else "waiting"
        rows.append({"region": region, "filing": filing, "state": state})
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in ("filed", "late", "waiting", "overdue")}
    return {"rows": rows, "counts": counts, "expected": len(rows), "filed": counts["filed"] + counts["late"]}


def totals(ret):
    """The province's totals of each number field, over the nominating units' filings only (a county's
    figures are part of its city's, so adding them would count twice); and over the counties apart."""
    numeric = [f for f in ret.fields if f["kind"] != "text"]
    result = {"cities": {f["key"]: Decimal("0") for f in numeric}, "counties": {f["key"]: Decimal("0") for f in numeric}}
    for filing in ret.filings.select_related("region"):
        bucket = result["counties"] if filing.region.is_county else result["cities"]
        for f in numeric:
            value = filing.values.get(f["key"])
            if value is not None:
                bucket[f["key"]] += Decimal(str(value))
    return [
        {"field": f, "cities": result["cities"][f["key"]], "counties": result["counties"][f["key"]]} for f in numeric
    ]


def export_sheets(ret):
    """The return's filings as one workbook sheet: a row per expected filer, blank where not filed."""
    status = completeness(ret)
    labels = {"filed": _("Filed"), "late": _("Filed late"), "waiting": _("Not yet filed"), "overdue": _("Overdue")}
    headers = [_("Division code"), _("Region"), _("Its city"), _("State"), _("Filed at"), _("Filed by")] + [
        f["label"] for f in ret.fields
    ]

    def rows():
        for row in status["rows"]:
            region, filing = row["region"], row["filing"]
            values = filing.values if filing else {}
            yield [
                region.code, region.name, region.parent.name if region.parent_id else "", labels[row["state"]],
                timezone.localtime(filing.filed_at) if filing else None, str(filing.filed_by) if filing else "",
            ] + [_number_or_text(values.get(f["key"]), f["kind"]) for f in ret.fields]

    return [(ret.title[:31], headers, rows(), None)]


def _number_or_text(value, kind):
    if value is None:
        return None
    return Decimal(str(value)) if kind == "decimal" else value


def send_reminders(*, today=None):
    """Remind the bureaus that have not filed: REMIND_BEFORE working days before the deadline, and
    every working day after it. Returns the number of notifications. Run daily by Celery beat."""
    today = today or timezone.localdate()
    sent = 0
    for ret in StatisticsReturn.objects.filter(status=StatisticsReturn.Status.OPEN):
        try:
            before = {working_days_before(ret.due_on, n): n for n in REMIND_BEFORE}
        except ValidationError:
            continue  # the calendar for the deadline's year is not loaded: no guessing
        overdue = today > ret.due_on and _working(today)
        if today not in before and not overdue:
            continue
        status = completeness(ret, today=today)
        missing = [r["region"] for r in status["rows"] if r["filing"] is None]
        if not missing:
            continue
        if overdue:
            subject = _("Overdue statistics return: %(title)s (was due %(due)s)") % {
                "title": ret.title, "due": f"{ret.due_on:%Y-%m-%d}"}
        else:
            subject = _("Statistics return due in %(n)s working day(s): %(title)s") % {
                "n": before[today], "title": ret.title}
        rows = notify(
            _filer_users(missing), subject=subject, body=_("Period %(start)s to %(end)s; due %(due)s.") % _period_words(ret),
            url=reverse("reports:return_file", args=[ret.pk]), next_step=_("File the return."),
        )
        sent += len(rows)
    return sent


def _working(day):
    from pojian.domain.calendar import is_working_day

    try:
        return is_working_day(day)
    except ValidationError:
        return False


def draft_bulletin(ret, *, by):
    """Draft (or redraft while unpublished) the progress bulletin from the return's filings and totals."""
    if not by.has_perm("reports.manage_returns"):
        raise PermissionDenied(_("Only the provincial office defines statistics returns."))
    status = completeness(ret)
    lines = [
        _("Period %(start)s to %(end)s.") % _period_words(ret),
        _("%(filed)s of %(expected)s bureaus filed the return.") % status,
    ]
    for row in totals(ret):
        lines.append(_("%(label)s: %(total)s in the province.") % {"label": row["field"]["label"],
                                                                   "total": _shown(row["cities"], row["field"]["kind"])})
    body = "\n".join(lines)
    title = _("Progress bulletin: %(title)s") % {"title": ret.title}
    with transaction.atomic():
        bulletin = ReturnBulletin.objects.select_for_update().filter(statistics_return=ret).first()
        if bulletin is not None and bulletin.published_at:
            raise ValidationError(_("The bulletin is published already."), code="published")
        bulletin = bulletin or ReturnBulletin(statistics_return=ret)
        bulletin.title, bulletin.body = title[:200], body
        bulletin._history_user = by
        bulletin._change_reason = "draft"
        bulletin.save()
    return bulletin


def _shown(value, kind):
    return f"{value:,.2f}" if kind == "decimal" else f"{value:,.0f}"


def edit_bulletin(bulletin, *, by, title, body, expected_version, publish=False):
    """The office edits the drafted bulletin and may publish it (then it is on the public page)."""
    if not by.has_perm("reports.manage_returns"):
        raise PermissionDenied(_("Only the provincial office defines statistics returns."))
    title, body = (title or "").strip(), (body or "").strip()
    if not title or not body:
        raise ValidationError(_("A bulletin needs a title and a text."), code="empty")
    with transaction.atomic():
        current = ReturnBulletin.objects.select_for_update().get(pk=bulletin.pk)
        if current.published_at:
            raise ValidationError(_("The bulletin is published already."), code="published")
        current.title, current.body = title[:200], body
        if publish:
            current.published_at, current.published_by = timezone.now(), by
        current._history_user = by
        current._change_reason = "publish" if publish else "edit"
        save_versioned(current, expected_version=int(expected_version))
        if publish:
            notify(office_users().exclude(pk=by.pk), subject=_("Bulletin published: %(title)s") % {"title": title},
                   url=reverse("reports:public_bulletins"), by=by)
    return current


def bulletin_pdf(bulletin):
    """A published bulletin as a PDF (WeasyPrint, Chinese, the Noto CJK font embedded): its title, the date and
    issuer, its text a paragraph a line. A bulletin that is not published has no PDF."""
    from pojian.domain.pdf import render_pdf

    if not bulletin.published_at:
        raise ValidationError(_("The bulletin is not published."), code="unpublished")
    ret = bulletin.statistics_return
    paragraphs = [line.strip() for line in bulletin.body.splitlines() if line.strip()]
    return render_pdf("reports/pdf/bulletin.html", {
        "bulletin": bulletin, "paragraphs": paragraphs,
        "period": {"start": ret.period_start, "end": ret.period_end}})
