"""Who may do what with enterprises and their nominations."""

import rules

from pojian.rules import cycle_is_open, is_bureau, is_county, is_office, is_own_county, is_own_region, is_region_bureau


@rules.predicate
def is_editable(user, nomination):
    return nomination is not None and nomination.is_editable_by_bureau


# Enterprises (the register): the office sees all; a bureau its region's.
rules.add_perm("enterprises.view_enterprise", is_office | is_own_region)
rules.add_perm("enterprises.change_enterprise", is_office | is_region_bureau)

@rules.predicate
def is_with_county(user, nomination):
    """A county's nomination that the county still prepares (not forwarded to its city)."""
    return nomination is not None and nomination.with_county


@rules.predicate
def is_from_county(user, nomination):
    return nomination is not None and bool(nomination.county_id)


# Nominations. A county bureau prepares its county's and forwards them (enterprises.domain.county).
rules.add_perm("enterprises.list_nominations", is_office | is_bureau)
rules.add_perm("enterprises.add_nomination", is_bureau)
rules.add_perm("enterprises.prepare_county_nomination", is_county)
# The bureau's nomination pages (list, new): a city bureau's and a county bureau's (a county's list
# is its own county's, enterprises.domain.county.visible_nominations).
rules.add_perm("enterprises.start_nomination", is_bureau | is_county)
rules.add_perm("enterprises.list_own_nominations", is_bureau | is_county)
rules.add_perm("enterprises.view_nomination", is_office | is_region_bureau | is_own_county)
rules.add_perm(
    "enterprises.change_nomination",
    ((is_region_bureau & ~is_with_county) | (is_own_county & is_with_county)) & is_editable & cycle_is_open,
)
rules.add_perm("enterprises.forward_to_city", is_own_county & is_with_county & is_editable & cycle_is_open)
rules.add_perm(
    "enterprises.return_to_county", is_region_bureau & is_from_county & ~is_with_county & is_editable & cycle_is_open
)
rules.add_perm("enterprises.import_nominations", is_bureau)
# The bureau's own list of its region's nominations (the office has its own pages).
rules.add_perm("enterprises.list_region_nominations", is_bureau)

# The office's work.
rules.add_perm("enterprises.review_nominations", is_office)
rules.add_perm("enterprises.import_tax_data", is_office)
rules.add_perm("enterprises.run_checks", is_office)
# Accepting a nomination that fails the 四科 check, with a reason (enterprises.domain.gate).
rules.add_perm("enterprises.override_gate", is_office & cycle_is_open)
rules.add_perm("enterprises.import_registrations", is_office)
# The high-tech, 专精特新 and 小巨人 lists that feed the pool's tiers.
rules.add_perm("enterprises.import_recognitions", is_office)
rules.add_perm("enterprises.export_nominations", is_office | is_bureau)
# The year's 四科 rulebook: the office views and changes it (a change after the first check is a new version).
rules.add_perm("enterprises.view_rulebook", is_office)
rules.add_perm("enterprises.change_rulebook", is_office)

# The admin (Django's model permissions, for office staff who are not superusers). Nominations are
# read-only there; "change" lets the office use the accept / return / reject actions.
rules.add_perm("enterprises.view_enterprisenomination", is_office)
rules.add_perm("enterprises.change_enterprisenomination", is_office)
rules.add_perm("enterprises.add_enterprise", is_office)
for _model in ("registration", "enterpriseyear", "ipitem", "transfer", "coreproduct"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"enterprises.{_action}_{_model}", is_office)
rules.add_perm("enterprises.view_verdict", is_office)

# The cultivation pool (培育库): the office sees the whole pool, a bureau its own region's entries.
# A county bureau sees the entries of its own county (PoolEntry.county), its city the whole region's.
rules.add_perm("enterprises.view_pool", is_office | is_bureau)
# The pool's pages (list, export): a county bureau's too, limited to its county (enterprises.domain.pool_county).
rules.add_perm("enterprises.view_pool_pages", is_office | is_bureau | is_county)
rules.add_perm("enterprises.view_pool_entry", is_office | is_own_region | is_own_county)
rules.add_perm("enterprises.change_pool_entry", is_office)
rules.add_perm("enterprises.export_pool", is_office | is_bureau | is_county)
# Cohorts (each year's selected enterprises followed through the years): the bureau sees its own region's.
rules.add_perm("enterprises.view_cohorts", is_office | is_bureau)
# The tiers (梯次) of each year, as data: the office edits them.
rules.add_perm("enterprises.view_tiers", is_office | is_bureau)
rules.add_perm("enterprises.manage_tiers", is_office)
for _model in ("poolentry", "recognition", "tierrule", "tierstanding"):
    rules.add_perm(f"enterprises.view_{_model}", is_office)
for _model in ("recognition",):
    for _action in ("add", "change", "delete"):
        rules.add_perm(f"enterprises.{_action}_{_model}", is_office)
