"""Who may do what with finance institutions, their nominations, investments, digests and roadshows."""

import rules

from pojian.rules import cycle_is_open, is_bureau, is_office, is_own_region, is_partner, is_region_bureau


@rules.predicate
def is_editable(user, nomination):
    return nomination is not None and nomination.is_editable_by_bureau


@rules.predicate
def is_institution_partner(user, obj):
    """A partner account of the institution the object belongs to (an institution, digest or investment)."""
    if obj is None or not is_partner(user):
        return False
    institution_id = obj.pk if obj.__class__.__name__ == "FinanceInstitution" else getattr(obj, "institution_id", None)
    return institution_id is not None and user.finance_institutions.filter(pk=institution_id).exists()


@rules.predicate
def has_institution(user):
    return is_partner(user) and user.finance_institutions.exists()


@rules.predicate
def is_roadshow_judge(user, roadshow):
    return roadshow is not None and is_partner(user) and roadshow.judges.filter(pk=user.pk).exists()


@rules.predicate
def scoring_open(user, roadshow):
    from django.utils import timezone

    return bool(roadshow is not None and roadshow.scoring_open
                and (roadshow.scoring_closes is None or timezone.now() < roadshow.scoring_closes))


# The office's pages.
rules.add_perm("finance.view_office_pages", is_office)
rules.add_perm("finance.manage_partnerships", is_office)
rules.add_perm("finance.manage_settings", is_office)

# Institutions: the office sees all, a bureau those of its region (and may add them).
rules.add_perm("finance.list_institutions", is_office | is_bureau)
rules.add_perm("finance.add_institution", is_office | is_bureau)
rules.add_perm("finance.change_institution", is_office | is_region_bureau)

# Nominations (the shared transitions are checked by pojian.domain.workflow).
rules.add_perm("finance.list_nominations", is_office | is_bureau)
rules.add_perm("finance.add_nomination", is_bureau)
rules.add_perm("finance.view_nomination", is_office | is_own_region)
rules.add_perm("finance.change_nomination", is_region_bureau & is_editable & cycle_is_open)
rules.add_perm("finance.export_nominations", is_office | is_bureau)
rules.add_perm("finance.review_nominations", is_office)

# Investments: the office all; a partner those of its own institution.
rules.add_perm("finance.list_investments", is_office | has_institution)
rules.add_perm("finance.add_investment", is_office | has_institution)
rules.add_perm("finance.change_investment", is_office | is_institution_partner)
rules.add_perm("finance.import_investments", is_office | has_institution)

# Digests: the office all; a partner only those addressed to its institution.
rules.add_perm("finance.list_digests", is_office | is_partner)
rules.add_perm("finance.view_digest", is_office | is_institution_partner)

# Roadshows: the office all; a partner those it judges; scoring only by judges while open.
rules.add_perm("finance.list_roadshows", is_office | is_partner)
rules.add_perm("finance.view_roadshow", is_office | is_roadshow_judge)
rules.add_perm("finance.score_roadshow", is_roadshow_judge & scoring_open)
rules.add_perm("finance.view_roadshow_results", is_office)
