"""Who may do what in 双千 matching. The office sees and does everything; a bureau works for the
enterprises of its region (推介, their 意向, 对接记录, its own 对接会, its region's statistics); an
institution's approved results manager records its side on its own results only."""

import rules

from pojian.rules import is_bureau, is_office, is_own_region

from .rules import is_published, is_results_manager, manages_institution_of


@rules.predicate
def is_region_wide_event(user, event):
    return event is not None and event.region_id is None


@rules.predicate
def institution_takes_part(user, event):
    """An institution's manager sees the events its institution takes part in."""
    if event is None or not user.is_authenticated:
        return False
    ids = user.results_manager_of.filter(approved_at__isnull=False).values("institution")
    return event.institutions.filter(pk__in=ids).exists()


# The office's account approval.
rules.add_perm("techtransfer.decide_account_requests", is_office)
# 推介: a published result, to an enterprise of the bureau's region (checked on the recommendation).
rules.add_perm("techtransfer.recommend_result", (is_office | is_bureau) & is_published)
rules.add_perm("techtransfer.list_recommendations", is_office | is_bureau)
rules.add_perm("techtransfer.record_recommendation", is_office | is_own_region)
# 意向 and 对接记录: the bureau for its enterprises, the institution for its results.
rules.add_perm("techtransfer.list_matching", is_office | is_bureau | is_results_manager)
rules.add_perm("techtransfer.record_interest", is_office | is_own_region | manages_institution_of)
rules.add_perm("techtransfer.see_match_record", is_office | is_own_region | manages_institution_of)
rules.add_perm("techtransfer.edit_match_record", is_office | is_own_region | manages_institution_of)
rules.add_perm("techtransfer.create_match_record", is_office | is_bureau | is_results_manager)
# 对接会: the office's are province-wide; a bureau organises its region's.
rules.add_perm("techtransfer.list_events", is_office | is_bureau | is_results_manager)
rules.add_perm("techtransfer.create_event", is_office | is_bureau)
rules.add_perm("techtransfer.see_event", is_office | is_own_region | is_region_wide_event & is_bureau
               | institution_takes_part)
rules.add_perm("techtransfer.edit_event", is_office | is_own_region)
# Statistics: the office for the province, a bureau for its region.
rules.add_perm("techtransfer.view_matching_statistics", is_office | is_bureau)
for _model in ("accountrequest", "recommendation", "interest", "matchevent", "matchrecord"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"techtransfer.{_action}_{_model}", is_office)
