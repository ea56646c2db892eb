"""Who may do what in the contract subsidy's workflow: the office runs the rule, checks receipts,
computes, publishes and proposes grants; a bureau applies for its own region's enterprises;
approvers read. Results managers, experts and other cities' bureaus see nothing of it."""

import rules

from funding.rules import is_approver
from pojian.rules import is_bureau, is_office, is_own_region

rules.add_perm("techtransfer.manage_contract_subsidy", is_office)
rules.add_perm("techtransfer.list_subsidy_applications", is_office | is_approver | is_bureau)
rules.add_perm("techtransfer.see_subsidy_application", is_office | is_approver | (is_bureau & is_own_region))
# obj: the enterprise applied for, or its application.
rules.add_perm("techtransfer.apply_contract_subsidy", is_bureau & is_own_region)
for _model in ("subsidyapplication", "paymentcheck", "subsidyobjection"):
    rules.add_perm(f"techtransfer.view_{_model}", is_office)
