"""Who may do what in the assessment: the office runs it; a bureau files its summary and sees its own figures."""

import rules

from pojian.rules import (
    cycle_is_open,
    is_bureau,
    is_city_of_county,
    is_county,
    is_office,
    is_own_county,
    is_own_region,
    is_region_bureau,
)


@rules.predicate
def summary_is_editable(user, summary):
    return summary is not None and summary.is_editable_by_bureau


@rules.predicate
def is_own_policy(user, policy):
    return policy is not None and is_own_region(user, policy.summary)


# The bureau's summary (部门自荐): checked on a Region (add) or on the summary.
rules.add_perm("assessment.add_summary", is_bureau & is_own_region)
rules.add_perm("assessment.list_summaries", is_office | is_bureau)
rules.add_perm("assessment.view_summary", is_office | is_region_bureau)
rules.add_perm("assessment.change_summary", is_region_bureau & summary_is_editable & cycle_is_open)
rules.add_perm("assessment.view_policy", is_office | is_own_policy)

# The assessment itself: the office computes, commends, publishes and exports; a bureau sees
# its own region's figures (checked on the Region), never another region's before publication.
rules.add_perm("assessment.manage_assessment", is_office)
rules.add_perm("assessment.view_region_result", is_office | is_own_region)
rules.add_perm("assessment.view_my_assessment", is_bureau)

# The counties, in a year that assesses them (assessment.domain.counties): the office sees every county, a
# city bureau its own counties, a county bureau its own standing (checked on the county's Region).
rules.add_perm("assessment.view_county_ranking", is_office | is_bureau | is_county)
rules.add_perm("assessment.view_county_result", is_office | is_own_county | is_city_of_county)
rules.add_perm("assessment.view_my_county", is_county)
