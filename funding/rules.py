"""Who may do what with budgets, grants, payments and projects."""

import rules

from pojian.models import User
from pojian.rules import is_bureau, is_office, is_own_region


@rules.predicate
def is_approver(user):
    """The division head or the Department of Finance: confirms payments and budget overrides."""
    return bool(user and user.is_authenticated and user.role == User.Role.APPROVER)


# The office's ledger: budgets, grants, payments; approvers read it too.
rules.add_perm("funding.view_ledger", is_office | is_approver)
rules.add_perm("funding.manage_budgets", is_office)
rules.add_perm("funding.propose_grant", is_office)
rules.add_perm("funding.decide_grant", is_office | is_approver)
rules.add_perm("funding.override_budget", is_approver)
rules.add_perm("funding.request_amount_change", is_office)
rules.add_perm("funding.confirm_amount_change", is_office | is_approver)
rules.add_perm("funding.record_payment", is_office)
rules.add_perm("funding.confirm_payment", is_approver)
rules.add_perm("funding.recover_grant", is_office)

# A bureau sees its region's grants, projects and payments.
rules.add_perm("funding.list_region", is_bureau)
rules.add_perm("funding.view_grant", is_office | is_approver | is_own_region)
rules.add_perm("funding.view_project", is_office | is_approver | is_own_region)
rules.add_perm("funding.file_project_report", is_own_region)
rules.add_perm("funding.manage_projects", is_office)
rules.add_perm("funding.view_projects", is_office | is_approver | is_bureau)

# 研发投入后补助: the office runs the rule; each bureau verifies its region's candidates.
rules.add_perm("funding.manage_rd_subsidy", is_office)
rules.add_perm("funding.view_rd_candidates", is_office | is_approver | is_bureau)
rules.add_perm("funding.view_rd_candidate", is_office | is_approver | is_own_region)
rules.add_perm("funding.verify_rd_candidate", is_own_region)

# 双千工程: the results and contracts a project builds on (the office, or the project's region's bureau).
rules.add_perm("funding.link_project_sources", is_office | is_own_region)
