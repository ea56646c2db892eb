"""An incubator's yearly performance: what the portal counts, beside what was typed (with its source).

Counted, never typed, from the tenants linked in the portal (Tenancy):

* tenants: enterprises hosted at some time in the year (entered by 31 Dec, not graduated before 1 Jan);
* graduated: of those, the ones that graduated in the year;
* registered: of those, the ones with a 科技型中小企业 registration (入库) for that year;
* selected: of those, the ones selected in this programme (an enterprise nomination in state
  "selected") in that year or an earlier one.

`counted_figures` computes these for any number of incubators in one query.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from enterprises.models import EnterpriseNomination, Registration
from pojian.models import NominationState

from ..models import IncubatorYear, Tenancy


@dataclass(frozen=True)
class Counted:
    tenants: int = 0
    graduated: int = 0
    registered: int = 0
    selected: int = 0


def year_bounds(year):
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def tenancies_in_year(year):
    """Tenancies that overlap the calendar year."""
    start, end = year_bounds(year)
    return Tenancy.objects.filter(entered__lte=end).filter(Q(graduated__isnull=True) | Q(graduated__gte=start))


def counted_figures(*, incubator_ids, year) -> dict:
    """{incubator_id: Counted} for the given incubators and year, in one grouped query."""
    ids = list(incubator_ids)
    if not ids:
        return {}
    _, end = year_bounds(year)
    registered = Registration.objects.filter(enterprise_id=OuterRef("enterprise_id"), year=year)
    selected = EnterpriseNomination.objects.filter(
        enterprise_id=OuterRef("enterprise_id"), state=NominationState.SELECTED, cycle__year__lte=year
    )
    rows = (
        tenancies_in_year(year)
        .filter(incubator_id__in=ids)
        .annotate(is_registered=Exists(registered), is_selected=Exists(selected))
        .values("incubator_id")
        .annotate(
            tenants=Count("enterprise_id", distinct=True),
            graduated=Count("enterprise_id", distinct=True, filter=Q(graduated__lte=end)),
            registered=Count("enterprise_id", distinct=True, filter=Q(is_registered=True)),
            selected=Count("enterprise_id", distinct=True, filter=Q(is_selected=True)),
        )
        .order_by()
    )
    result = {i: Counted() for i in ids}
    for row in rows:
        result[row["incubator_id"]] = Counted(
            tenants=row["tenants"], graduated=row["graduated"], registered=row["registered"], selected=row["selected"]
        )
    return result


@dataclass(frozen=True)
class Performance:
    """Counted and typed figures of one incubator for one year, and the totals."""

    year: int
    counted: Counted
    typed: IncubatorYear | None

    @property
    def tenants_total(self):
        return self.counted.tenants + (self.typed.other_tenants if self.typed else 0)

    @property
    def graduated_total(self):
        return self.counted.graduated + (self.typed.other_graduated if self.typed else 0)


def performances(*, incubator_ids, year) -> dict:
    """{incubator_id: Performance}: two queries whatever the number of incubators."""
    ids = list(incubator_ids)
    counted = counted_figures(incubator_ids=ids, year=year)
    typed = {y.incubator_id: y for y in IncubatorYear.objects.filter(incubator_id__in=ids, year=year)}
    return {i: Performance(year=year, counted=counted[i], typed=typed.get(i)) for i in ids}


def performance(*, incubator, year) -> Performance:
    return performances(incubator_ids=[incubator.pk], year=year)[incubator.pk]
