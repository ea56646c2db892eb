from decimal import Decimal

import pytest

from funding.domain import grants
from tests import factories as core

from .factories import ApproverFactory, BudgetFactory, EnterpriseFactory, line


@pytest.fixture
def approver(db):
    return ApproverFactory(username="approver-t")


@pytest.fixture
def office2(db):
    return core.OfficeFactory(username="office-t2")


@pytest.fixture
def budget(cycle):
    return BudgetFactory(cycle=cycle, line=line("rd_post"), amount=Decimal("100000.00"))


@pytest.fixture
def make_grant(budget, office):
    """make_grant(amount, state=...) -> a grant of the rd_post line, proposed by `office`."""

    def make(amount="30000", *, enterprise=None, by=None):
        enterprise = enterprise or EnterpriseFactory()
        return grants.propose_grant(cycle=budget.cycle, line=budget.line, beneficiary=enterprise,
                                    amount=Decimal(amount), by=by or office)

    return make


@pytest.fixture
def committed_grant(make_grant, approver):
    g = make_grant("30000")
    grants.approve_grant(grant=g, by=approver)
    grants.start_notice(grant=g, by=approver)
    grants.commit_grant(grant=g, by=approver)
    return g
