from django.contrib import admin

from funding.admin import ReadOnlyAdmin
from pojian.history import HistoryAdmin

from .models import ContractPayment, ContractSubsidyRule, Demand, Institution, Result, ResultsManager, TechContract


class ManagerInline(admin.TabularInline):
    model = ResultsManager
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["approved_by"]


@admin.register(Institution)
class InstitutionAdmin(HistoryAdmin):
    list_display = ["name", "kind", "region", "in_province"]
    list_filter = ["kind", "in_province"]
    search_fields = ["name", "uscc"]
    inlines = [ManagerInline]


@admin.register(Result)
class ResultAdmin(HistoryAdmin):
    list_display = ["title", "institution", "field", "maturity", "state", "published_at"]
    list_filter = ["state", "field", "maturity"]
    search_fields = ["title"]


@admin.register(Demand)
class DemandAdmin(HistoryAdmin):
    list_display = ["title", "enterprise", "region", "field", "deadline"]
    list_filter = ["field", "region"]
    search_fields = ["title", "enterprise__name"]


class PaymentInline(admin.TabularInline):
    model = ContractPayment
    extra = 0


@admin.register(TechContract)
class TechContractAdmin(HistoryAdmin):
    list_display = ["registration_number", "title", "kind", "enterprise", "institution", "contract_amount"]
    list_filter = ["kind"]
    search_fields = ["registration_number", "title", "enterprise__name"]
    inlines = [PaymentInline]


@admin.register(ContractSubsidyRule)
class ContractSubsidyRuleAdmin(ReadOnlyAdmin):
    """Read-only: the rule changes on its page (techtransfer:subsidy_rule), with the lock and the state checks."""

    list_display = ["year", "min_paid", "cap", "budget"]


from . import admin_matching  # noqa: E402,F401  (account requests, 推介, 意向, 对接记录, 对接会)
from . import admin_subsidy as _subsidy  # noqa: E402,F401  (contract subsidy applications and receipt checks, read-only)
