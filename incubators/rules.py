"""Who may do what with incubators, their nominations and post-subsidies."""

import rules

from pojian.rules import cycle_is_open, is_bureau, is_office, is_own_region, is_region_bureau


@rules.predicate
def is_editable(user, nomination):
    return nomination is not None and nomination.is_editable_by_bureau


# Incubators (the register): the office sees all; a bureau its region's.
rules.add_perm("incubators.view_incubator", is_office | is_own_region)
rules.add_perm("incubators.change_incubator", is_office | is_region_bureau)

# Nominations: a bureau works on its region's; the office checks them all.
rules.add_perm("incubators.list_nominations", is_bureau)
rules.add_perm("incubators.add_nomination", is_bureau)
rules.add_perm("incubators.view_nomination", is_office | is_region_bureau)
rules.add_perm("incubators.change_nomination", is_region_bureau & is_editable & cycle_is_open)
rules.add_perm("incubators.review_nominations", is_office)
rules.add_perm("incubators.export_nominations", is_office)

# The post-subsidy list (后补助名单).
rules.add_perm("incubators.view_post_subsidies", is_office)
rules.add_perm("incubators.manage_post_subsidies", is_office)
