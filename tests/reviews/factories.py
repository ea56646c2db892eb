"""Factories for the expert review (experts, rounds, items, assignments) and small scenario helpers."""

import functools
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from enterprises.models import EnterpriseNomination
from pojian.models import NominationState
from reviews.models import Assignment, Conflict, Criterion, Expert, ReviewItem, Round, ScoreSheet
from tests import factories as core
from tests.enterprises import factories as ent


@functools.cache
def _password_hash():
    # Hashing costs ~1 s a user on a busy machine; expert accounts in these tests share one hash.
    return make_password("pw-for-tests-1")


class ExpertFactory(factory.django.DjangoModelFactory):
    """An active expert with an account (role expert; password pw-for-tests-1)."""

    class Meta:
        model = Expert

    name = factory.Sequence(lambda n: f"专家{n:03d}")
    user = factory.SubFactory(core.ExpertFactory, password=factory.Transformer.Force(factory.LazyFunction(_password_hash)))
    unit_name = factory.Sequence(lambda n: f"吉林大学第{n}研究所")
    title = "教授"
    expertise = factory.LazyFunction(lambda: ["software"])
    phone = "13800000000"
    active = True


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round
        django_get_or_create = ("cycle", "kind")

    cycle = factory.SubFactory(core.CycleFactory)
    kind = Round.Kind.ENTERPRISES
    experts_per_item = 3
    max_load = 10


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScoreSheet
        django_get_or_create = ("round",)

    round = factory.SubFactory(RoundFactory)
    title = "评分表"


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    sheet = factory.SubFactory(ScoreSheetFactory)
    name = factory.Sequence(lambda n: f"指标{n}")
    guidance = "评分说明"
    max_score = Decimal("50")
    weight = Decimal("1")
    order = factory.Sequence(lambda n: n)


def accepted_nomination(*, cycle, region=None, industry="software", submitted_at=None, verdict=True, **enterprise):
    """An accepted enterprise nomination (state set directly: the workflow is tested in its own app).

    It meets the 四科 standard (a passing verdict), as acceptance requires; verdict=False leaves it
    unchecked, verdict=("registered",) makes it fail those criteria.
    """
    kwargs = {"industry": industry, **enterprise}
    if region is not None:
        kwargs["region"] = region
    e = ent.EnterpriseFactory(**kwargs)
    bureau = core.BureauFactory(username=f"bureau-rv-{e.region.code}", region=e.region,
                                password=factory.Transformer.Force(factory.LazyFunction(_password_hash)))
    nomination = ent.EnterpriseNominationFactory(
        enterprise=e, cycle=cycle, state=NominationState.ACCEPTED, created_by=bureau,
        submitted_at=submitted_at or timezone.now(),
    )
    if verdict:
        ent.VerdictFactory(nomination=nomination, fail=() if verdict is True else tuple(verdict))
    return nomination


class ReviewItemFactory(factory.django.DjangoModelFactory):
    """An item pointing at a real accepted enterprise nomination of the round's year."""

    class Meta:
        model = ReviewItem

    round = factory.SubFactory(RoundFactory)
    content_type = factory.LazyFunction(lambda: ContentType.objects.get_for_model(EnterpriseNomination))
    object_id = factory.LazyAttribute(lambda o: accepted_nomination(cycle=o.round.cycle, industry=o.industry or "software").pk)
    nominee_name = factory.LazyAttribute(lambda o: EnterpriseNomination.objects.get(pk=o.object_id).enterprise.name)
    nominee_uscc = factory.LazyAttribute(lambda o: EnterpriseNomination.objects.get(pk=o.object_id).enterprise.uscc)
    region = factory.LazyAttribute(lambda o: EnterpriseNomination.objects.get(pk=o.object_id).region)
    industry = "software"
    submitted_at = factory.LazyFunction(timezone.now)


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    item = factory.SubFactory(ReviewItemFactory)
    expert = factory.SubFactory(ExpertFactory)
    state = Assignment.State.CONFIRMED


class ConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conflict

    expert = factory.SubFactory(ExpertFactory)
    nominee_uscc = factory.Sequence(lambda n: ent.make_uscc(900000 + n))
    kind = Conflict.Kind.OTHER
    source = Conflict.Source.OFFICE
    status = Conflict.Status.CONFIRMED
    reason = "测试"


def scoring_round(*, items=2, experts=3, n=None, criteria=2, cycle=None):
    """A round in the scoring phase: items × experts all assigned (confirmed), criteria of max 50."""
    round_ = RoundFactory(cycle=cycle or core.CycleFactory(), experts_per_item=n or experts, phase=Round.Phase.SCORING)
    sheet = ScoreSheetFactory(round=round_)
    crits = [CriterionFactory(sheet=sheet, order=k) for k in range(criteria)]
    its = [ReviewItemFactory(round=round_) for _ in range(items)]
    exps = [ExpertFactory() for _ in range(experts)]
    assignments = [AssignmentFactory(item=i, expert=e) for i in its for e in exps]
    return round_, crits, its, exps, assignments
