from decimal import Decimal

import pytest
from django.utils import timezone

from api.domain import tokens
from api.models import ApiToken
from funding.domain.grants import propose_grant
from tests import factories as core
from tests.enterprises.factories import EnterpriseFactory, EnterpriseNominationFactory
from tests.finance.factories import InstitutionFactory, InvestmentFactory
from tests.funding.factories import line as funding_line
from tests.incubators.factories import IncubatorFactory, IncubatorNominationFactory
from tests.reviews.factories import ReviewItemFactory, RoundFactory
from tests.techtransfer.factories import DemandFactory, TechContractFactory


@pytest.fixture
def two_regions(db, cycle, office):
    """The same things in 长春 (the bureau's) and in 吉林 (another city's), so that leaks show."""
    data = {}
    for code in ("220100", "220200"):
        region = core.region(code)
        enterprise = EnterpriseFactory(region=region)
        institution = InstitutionFactory(region=region)
        round_ = RoundFactory(cycle=cycle)
        item = ReviewItemFactory(round=round_)
        item.region = region
        item.selected = True
        item.save()
        data[code] = {
            "enterprise": enterprise,
            "nomination": EnterpriseNominationFactory(cycle=cycle, enterprise=enterprise, region=region),
            "incubator_nomination": IncubatorNominationFactory(cycle=cycle, region=region,
                                                               incubator=IncubatorFactory(region=region)),
            "institution": institution,
            "investment": InvestmentFactory(institution=institution, enterprise=enterprise),
            "result": item,
            "grant": propose_grant(cycle=cycle, line=funding_line(), beneficiary=enterprise, amount=Decimal("100000"),
                                   by=office),
            "demand": DemandFactory(enterprise=enterprise),
            "tech_contract": TechContractFactory(enterprise=enterprise),
            "pool_entry": _pool_entry(enterprise),
        }
    round_.results_confirmed_at = timezone.now()
    round_.save(update_fields=["results_confirmed_at"])
    return data


def _pool_entry(enterprise):
    import datetime

    from enterprises.models import PoolEntry

    return PoolEntry.objects.create(enterprise=enterprise, region=enterprise.region, entered_on=datetime.date(2025, 1, 1),
                                    entered_via=PoolEntry.Via.OFFICE)


@pytest.fixture
def bearer():
    """bearer(user, scope=personal) -> the headers of a request with a new token of that user."""

    def make(user, scope=ApiToken.Scope.PERSONAL, issuer=None):
        issuer = issuer or (user if scope == ApiToken.Scope.PERSONAL else core.OfficeFactory(username="office-issuer"))
        _token, key = tokens.issue(user=user, name="test", by=issuer, scope=scope, second_factor_verified=True)
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


@pytest.fixture
def tax_client(db):
    """The tax department's system: a user with no role of its own, and a token that may only push."""
    return core.UserFactory(username="tax-system")
