"""Who may cancel a contract, and who sees the 推介 of an institution's results."""

import rules

from pojian.rules import is_office, is_own_region

from .rules import is_results_manager


@rules.predicate
def is_in_force(user, contract):
    return contract is not None and contract.cancelled_at is None


# The bureau of the enterprise's region, or the office, cancels a contract still in force.
rules.add_perm("techtransfer.cancel_contract", (is_office | is_own_region) & is_in_force)
# A results manager sees to whom its institution's results were recommended, and what followed.
rules.add_perm("techtransfer.list_own_recommendations", is_results_manager)
