"""The 推介 made of an institution's results, as its results managers see them: who recommended which
result to which enterprise and when, with the 意向 recorded afterwards on the same result and
enterprise (two queries for a page, whatever its length)."""

from collections import defaultdict

from django.db.models import Q

from pojian.domain.notifications import actor_name

from ..models import Interest, Recommendation


def own_institutions(user):
    return user.results_manager_of.filter(approved_at__isnull=False).values("institution")


def of_own_results(user):
    """The recommendations of the results of the institutions `user` manages, newest first."""
    return (Recommendation.objects.filter(result__institution__in=own_institutions(user))
            .select_related("result", "enterprise", "region", "created_by", "created_by__region")
            .order_by("-created_at", "-pk"))


def with_interests(recommendations):
    """[(recommendation, [interest…])]: the interests recorded on the same result and enterprise."""
    recommendations = list(recommendations)
    if not recommendations:
        return []
    pairs = Q()
    for r in recommendations:
        pairs |= Q(result_id=r.result_id, enterprise_id=r.enterprise_id)
    found = defaultdict(list)
    for interest in Interest.objects.filter(pairs).select_related("demand").order_by("created_at", "pk"):
        found[(interest.result_id, interest.enterprise_id)].append(interest)
    for r in recommendations:
        r.by_name = actor_name(r.created_by)  # “王明（长春市科学技术局）”
    return [(r, found[(r.result_id, r.enterprise_id)]) for r in recommendations]
