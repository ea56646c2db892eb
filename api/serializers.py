"""What the API shows of each thing: the same fields the pages show the same people."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises.models import Enterprise, EnterpriseNomination, EnterpriseYear, PoolEntry, TierStanding, Verdict
from finance.models import FinanceInstitution, Investment
from funding.models import Grant, Payment
from incubators.models import IncubatorNomination
from pojian.models import Job
from reviews.models import ReviewItem
from techtransfer.models import Demand, Result, TechContract

from .models import ApiToken


class RegionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The region's administrative division code."))
    name = serializers.CharField()


class EnterpriseYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnterpriseYear
        fields = ["year", "revenue", "rd_expense", "total_assets", "employees", "tech_staff", "revenue_tax",
                  "rd_expense_tax", "total_assets_tax", "employees_tax", "tax_imported_at"]


class EnterpriseSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)
    years = EnterpriseYearSerializer(many=True, read_only=True)

    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "region", "industry", "is_high_tech", "years"]


class VerdictSerializer(serializers.ModelSerializer):
    """The verdict in a list: met or not, and which criteria failed."""

    failed = serializers.SerializerMethodField(help_text=_("The codes of the 四科 criteria not met."))

    class Meta:
        model = Verdict
        fields = ["eligible", "failed", "checked_at"]

    def get_failed(self, verdict) -> list[str]:
        return [c for c in Verdict.CRITERIA if getattr(verdict, f"fail_{c}")]


class VerdictDetailSerializer(VerdictSerializer):
    """One nomination's verdict with its explanation, criterion by criterion, and the figures it used."""

    explanation = serializers.ListField(
        child=serializers.DictField(), read_only=True,
        help_text=_("Per criterion: code, passed, value, threshold, and a note or comparison where there is one."))
    # A property of the verdict (a document or typed columns), typed here for the schema.
    figures = serializers.JSONField(read_only=True, label=_("figures used"))

    class Meta(VerdictSerializer.Meta):
        fields = [*VerdictSerializer.Meta.fields, "explanation", "figures"]


class NominationFields(serializers.ModelSerializer):
    year = serializers.IntegerField(source="cycle.year", read_only=True)
    region = RegionSerializer(read_only=True)

    class Meta:
        fields = ["id", "year", "region", "state", "state_reason", "submitted_at", "decided_at", "updated_at"]


class EnterpriseNominationSerializer(NominationFields):
    enterprise = serializers.SerializerMethodField()
    verdict = VerdictSerializer(read_only=True, allow_null=True)

    class Meta(NominationFields.Meta):
        model = EnterpriseNomination
        fields = [*NominationFields.Meta.fields, "enterprise", "verdict"]

    def get_enterprise(self, n) -> dict:
        return {"id": n.enterprise_id, "uscc": n.enterprise.uscc, "name": n.enterprise.name}


class EnterpriseNominationDetailSerializer(EnterpriseNominationSerializer):
    verdict = VerdictDetailSerializer(read_only=True, allow_null=True)


class IncubatorNominationSerializer(NominationFields):
    incubator = serializers.SerializerMethodField()

    class Meta(NominationFields.Meta):
        model = IncubatorNomination
        fields = [*NominationFields.Meta.fields, "incubator"]

    def get_incubator(self, n) -> dict:
        return {"id": n.incubator_id, "uscc": n.incubator.uscc, "name": n.incubator.name, "kind": n.incubator.kind}


class FinanceInstitutionSerializer(serializers.ModelSerializer):
    region = RegionSerializer(read_only=True)

    class Meta:
        model = FinanceInstitution
        fields = ["id", "uscc", "name", "kind", "region", "registered_capital"]


class InvestmentSerializer(serializers.ModelSerializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=FinanceInstitution.objects.all())
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())

    class Meta:
        model = Investment
        fields = ["id", "institution", "enterprise", "date", "amount", "round", "note"]


class ResultSerializer(serializers.ModelSerializer):
    """A nomination's outcome in a confirmed review round."""

    year = serializers.IntegerField(source="round.cycle.year")
    kind = serializers.CharField(source="round.kind")
    region = RegionSerializer(read_only=True)

    class Meta:
        model = ReviewItem
        fields = ["id", "year", "kind", "nominee_name", "nominee_uscc", "region", "industry", "rank", "selected"]


class JobSerializer(serializers.ModelSerializer):
    class Meta:
        model = Job
        fields = ["id", "kind", "title", "status", "progress", "total", "message", "errors", "created_at",
                  "started_at", "finished_at"]


class TaxRowSerializer(serializers.Serializer):
    """One enterprise's tax figures. Values go through the same checks as a cell of the workbook."""

    uscc = serializers.CharField(allow_blank=True, required=False, allow_null=True)
    year = serializers.JSONField(required=False, allow_null=True)
    revenue = serializers.JSONField(required=False, allow_null=True)
    rd_expense = serializers.JSONField(required=False, allow_null=True)
    total_assets = serializers.JSONField(required=False, allow_null=True)
    employees = serializers.JSONField(required=False, allow_null=True)


class TaxPushSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100, help_text=_("The fiscal year of the figures."))
    rows = TaxRowSerializer(many=True, allow_empty=False, max_length=200_000)


class TokenSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = ["id", "name", "user", "scope", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at",
                  "is_active"]
        read_only_fields = fields


class NewTokenSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    days = serializers.IntegerField(min_value=1, max_value=366, required=False)


class PublicNoticeItemSerializer(serializers.Serializer):
    rank = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    region = serializers.CharField()
    industry = serializers.CharField(allow_null=True)


class RegistrationRowSerializer(serializers.Serializer):
    """One line of the province's registration list, as in the file the office uploads."""

    name = serializers.CharField(allow_blank=True, required=False, allow_null=True, help_text=_("The enterprise's name."))
    uscc = serializers.CharField(allow_blank=True, required=False, allow_null=True, help_text=_("The unified social credit code."))
    number = serializers.CharField(allow_blank=True, required=False, allow_null=True, help_text=_("The registration number; it begins with its year."))
    year = serializers.JSONField(required=False, allow_null=True)
    status = serializers.CharField(allow_blank=True, required=False, allow_null=True,
                                   help_text=_("Registered (入库) or revoked (撤销)."))
    date = serializers.CharField(allow_blank=True, required=False, allow_null=True)


class RegistrationPushSerializer(serializers.Serializer):
    rows = RegistrationRowSerializer(many=True, allow_empty=False, max_length=200_000)


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = ["id", "grant", "tranche", "paid_on", "document_no", "amount", "state", "recorded_at", "confirmed_at"]


class GrantSerializer(serializers.ModelSerializer):
    """A grant of the ledger: beneficiary, line, amount, state and what was paid."""

    year = serializers.IntegerField(source="cycle.year", read_only=True)
    line = serializers.CharField(source="line.code", read_only=True)
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Grant
        fields = ["id", "year", "line", "beneficiary_name", "region", "amount", "state", "paid_amount",
                  "recovered_amount", "approved_at"]


class ResultCatalogueSerializer(serializers.ModelSerializer):
    """A published result of the 双千 catalogue (public)."""

    institution = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "title", "institution", "field", "maturity", "trl", "summary", "cooperation_modes",
                  "price_low", "price_high", "contact_name", "contact_phone", "published_at"]


class DemandSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    region = RegionSerializer(read_only=True)

    class Meta:
        model = Demand
        fields = ["id", "title", "enterprise", "region", "field", "description", "budget", "deadline", "visibility"]


class TechContractSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    institution = serializers.CharField(source="institution.name", read_only=True)
    paid = serializers.DecimalField(max_digits=16, decimal_places=2, read_only=True,
                                    help_text=_("The amount actually paid (实际发生交易额)."))

    class Meta:
        model = TechContract
        fields = ["id", "registration_number", "registered_on", "kind", "title", "enterprise", "institution",
                  "contract_amount", "tech_amount", "paid", "cancelled_at", "cancel_reason"]
        extra_kwargs = {"cancelled_at": {"help_text": _("When the contract was cancelled (撤销); empty while in force. A "
                                                        "cancelled contract no longer counts in 四科 or the statistics.")}}


# --- the cultivation pool (培育库) --------------------------------------------------------------


class PoolEnterpriseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "uscc", "name", "industry"]


class TierStandingSerializer(serializers.ModelSerializer):
    class Meta:
        model = TierStanding
        fields = ["year", "rank", "code", "name", "reasons"]


class PoolEntrySerializer(serializers.ModelSerializer):
    """An enterprise in the pool: how and when it entered, its status, its latest tier."""

    enterprise = PoolEnterpriseSerializer(read_only=True)
    region = RegionSerializer(read_only=True)

    class Meta:
        model = PoolEntry
        fields = ["id", "enterprise", "region", "entered_on", "entered_via", "status", "status_on", "status_reason",
                  "tier_year", "tier_rank", "tier_code"]


class PoolEntryDetailSerializer(PoolEntrySerializer):
    """One pool entry with its tier standings year by year (with their evidence)."""

    tiers = serializers.SerializerMethodField(help_text=_("The tier standings year by year, oldest first."))

    class Meta(PoolEntrySerializer.Meta):
        fields = [*PoolEntrySerializer.Meta.fields, "tiers"]

    def get_tiers(self, entry) -> list[dict]:
        standings = TierStanding.objects.filter(enterprise_id=entry.enterprise_id).order_by("year")
        return TierStandingSerializer(standings, many=True).data
