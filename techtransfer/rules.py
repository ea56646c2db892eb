"""Who may do what in 双千工程. An institution's results manager sees and edits only its own
institution's records, once the office has approved the account."""

import rules

from pojian.rules import is_bureau, is_office, is_own_region


@rules.predicate
def is_results_manager(user):
    return user.is_authenticated and user.results_manager_of.filter(approved_at__isnull=False).exists()


@rules.predicate
def manages_institution_of(user, obj):
    """obj: an Institution, or anything with an institution (a result, a contract)."""
    if obj is None or not user.is_authenticated:
        return False
    institution_id = obj.pk if obj.__class__.__name__ == "Institution" else getattr(obj, "institution_id", None)
    return user.results_manager_of.filter(institution_id=institution_id, approved_at__isnull=False).exists()


@rules.predicate
def is_published(user, result):
    return result is not None and result.state == "published"


@rules.predicate
def is_editable(user, result):
    return result is not None and result.state in ("draft", "returned")


@rules.predicate
def demand_is_public(user, demand):
    return demand is not None and demand.visibility == "public"


# The catalogue: the public reads published results; the office moderates.
rules.add_perm("techtransfer.see_result", is_published | is_office | manages_institution_of)
rules.add_perm("techtransfer.moderate_results", is_office)
# An institution's own results.
rules.add_perm("techtransfer.list_own_results", is_results_manager)
rules.add_perm("techtransfer.create_result", is_results_manager)
rules.add_perm("techtransfer.edit_result", manages_institution_of & is_editable)
# Demands: a bureau enters its enterprises'; institutions read them (or the public, where public).
rules.add_perm("techtransfer.list_demands", is_office | is_bureau | is_results_manager)
rules.add_perm("techtransfer.create_demand", is_bureau)
rules.add_perm("techtransfer.see_demand", is_office | is_own_region | is_results_manager | demand_is_public)
# Contracts: the bureau records its enterprises'; the institution sees its own.
rules.add_perm("techtransfer.list_contracts", is_office | is_bureau | is_results_manager)
rules.add_perm("techtransfer.record_contract", is_office | is_bureau)
rules.add_perm("techtransfer.see_contract", is_office | is_own_region | manages_institution_of)
rules.add_perm("techtransfer.edit_contract", is_office | is_own_region)
rules.add_perm("techtransfer.import_contracts", is_office)
rules.add_perm("techtransfer.approve_managers", is_office)
# The admin.
for _model in ("institution", "resultsmanager", "result", "demand", "techcontract", "contractpayment",
               "contractsubsidyrule"):
    for _action in ("view", "add", "change", "delete"):
        rules.add_perm(f"techtransfer.{_action}_{_model}", is_office)

# The other parts' rules register themselves on import.
from . import rules_contracts  # noqa: E402,F401,I001  (cancelling contracts, an institution's 推介)
from . import rules_matching  # noqa: E402,F401  (matching: 推介, 意向, 对接, 对接会, account requests)
from . import rules_subsidy  # noqa: E402,F401  (the contract subsidy: rule page, applications, receipts, 公示)
