"""A registered contract where the enterprise is the buyer, with an amount paid by the end of the year,
counts once as a transfer (成果转化) in the 四科 check; the office's and the bureau's nomination pages
say which counted and why not."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises.domain import checks
from enterprises.models import EnterpriseNomination, Transfer
from techtransfer.models import ContractPayment
from tests.enterprises.factories import EnterpriseNominationFactory, eligible_enterprise

from .factories import TechContractFactory

pytestmark = pytest.mark.django_db


def transfers_counted(nomination):
    year = nomination.cycle.year
    checks.check_nominations(EnterpriseNomination.objects.filter(pk=nomination.pk), year=year)
    nomination.verdict.refresh_from_db()
    return nomination.verdict.figures["transfers"]


def pay(contract, paid_on, amount="1000"):
    ContractPayment.objects.create(contract=contract, paid_on=paid_on, amount=Decimal(amount),
                                   invoice_number=f"FP{ContractPayment.objects.count()}", created_by=contract.created_by)


def test_a_paid_contract_bought_by_the_enterprise_counts_once(cycle, bureau, office, client_for):
    year = cycle.year
    enterprise = eligible_enterprise(year=year, region=bureau.region, transfers=1)
    nomination = EnterpriseNominationFactory(enterprise=enterprise, cycle=cycle)
    assert transfers_counted(nomination) == 1
    before_end = datetime.date(year - 1, 10, 1)
    sold = TechContractFactory(enterprise=enterprise, enterprise_role="seller", registered_on=before_end)
    pay(sold, before_end)
    unpaid = TechContractFactory(enterprise=enterprise, registered_on=before_end)
    late = TechContractFactory(enterprise=enterprise, registered_on=before_end)
    pay(late, datetime.date(year + 1, 1, 5))  # paid after the programme year's end
    bought = TechContractFactory(enterprise=enterprise, registered_on=before_end)
    pay(bought, before_end)
    assert transfers_counted(nomination) == 2
    # The same contract typed in as a transfer too counts once.
    Transfer.objects.create(enterprise=enterprise, kind="assignment", contract_no=bought.registration_number,
                            amount=Decimal("1000"), date=before_end)
    assert transfers_counted(nomination) == 2
    _book, _ip, shown = checks.counted_results(nomination)
    marks = {getattr(t, "contract", None) and t.contract.pk: (t.counted, t.not_counted_because) for t in shown}
    assert marks[sold.pk][0] is False and marks[sold.pk][1]
    assert marks[unpaid.pk][0] is False and marks[late.pk][0] is False
    assert marks[bought.pk][0] is False  # counted as the typed transfer instead
    for url, user in ((reverse("enterprises:office_nomination", args=[nomination.pk]), office),
                      (reverse("enterprises:bureau_nomination", args=[nomination.pk]), bureau)):
        page = client_for(user).get(url).content.decode()
        assert f'data-testid="transfer-contract-{bought.pk}"' in page and bought.registration_number in page
