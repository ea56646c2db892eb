"""The API's endpoints. Each names the permission it needs (the apps' own rules) and scopes its
queryset the way the matching page does: a bureau sees its region, a partner its institution."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from enterprises.models import Enterprise, EnterpriseNomination, PoolEntry
from finance.domain.investments import allowed_institutions, record_investment
from finance.models import FinanceInstitution, Investment
from funding.models import Grant, Payment
from incubators.models import IncubatorNomination
from pojian.domain.twofactor import is_verified
from pojian.models import Job
from pojian.rules import is_office
from reports.domain.public import public_progress
from reviews.domain import queries
from reviews.models import PublicNotice, ReviewItem, RoundKind
from techtransfer.models import Demand, Result, TechContract
from techtransfer.rules import is_results_manager

from . import serializers as s
from .domain import pushes, tokens
from .models import ApiToken
from .renderers import CSVRenderer


def _messages(error):
    return error.messages if hasattr(error, "messages") else [str(error)]


class RegionScoped:
    """Office: every row; a bureau: its own region's (the pages' rule)."""

    region_field = "region"

    def scope(self, qs):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # the schema generator's dry run: no caller
            return qs.none()
        return qs if is_office(user) else qs.filter(**{f"{self.region_field}_id": user.region_id})


class EnterpriseViewSet(RegionScoped, viewsets.ReadOnlyModelViewSet):
    """Enterprises and their figures by year (declared and tax)."""

    serializer_class = s.EnterpriseSerializer
    permission_required = "enterprises.list_nominations"
    object_permission_required = "enterprises.view_enterprise"
    filterset_fields = {"uscc": ["exact"], "industry": ["exact"], "region__code": ["exact"]}

    def get_queryset(self):
        return self.scope(Enterprise.objects.select_related("region").prefetch_related("years"))


class PoolEntryViewSet(RegionScoped, viewsets.ReadOnlyModelViewSet):
    """The cultivation pool (培育库): the office's whole pool, a bureau's own region's; one entry with its tiers."""

    permission_required = "enterprises.view_pool"
    object_permission_required = "enterprises.view_pool_entry"
    filterset_fields = {"status": ["exact"], "tier_code": ["exact"], "tier_year": ["exact"], "entered_via": ["exact"],
                        "region__code": ["exact"], "enterprise__uscc": ["exact"]}

    def get_serializer_class(self):
        return s.PoolEntryDetailSerializer if self.action == "retrieve" else s.PoolEntrySerializer

    def get_queryset(self):
        return self.scope(PoolEntry.objects.select_related("enterprise", "region").order_by("-pk"))


class EnterpriseNominationViewSet(RegionScoped, viewsets.ReadOnlyModelViewSet):
    """Enterprise nominations with their 四科 verdict (one nomination: with its explanation)."""

    serializer_class = s.EnterpriseNominationSerializer
    permission_required = "enterprises.list_nominations"
    object_permission_required = "enterprises.view_nomination"
    filterset_fields = {"cycle__year": ["exact"], "state": ["exact"], "region__code": ["exact"],
                        "verdict__eligible": ["exact"]}

    def get_serializer_class(self):
        # A list carries each verdict's outcome; one nomination also its explanation (large JSON).
        return s.EnterpriseNominationDetailSerializer if self.action == "retrieve" else s.EnterpriseNominationSerializer

    def get_queryset(self):
        qs = EnterpriseNomination.objects.select_related("cycle", "region", "enterprise", "verdict")
        if self.action != "retrieve":
            qs = qs.defer("verdict__stored_explanation", "verdict__stored_figures", "verdict__stored_rules", "recommendation")
        return self.scope(qs)


class IncubatorNominationViewSet(RegionScoped, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.IncubatorNominationSerializer
    permission_any = True
    permission_required = ("incubators.review_nominations", "incubators.list_nominations")
    object_permission_required = "incubators.view_nomination"
    filterset_fields = {"cycle__year": ["exact"], "state": ["exact"], "region__code": ["exact"]}

    def get_queryset(self):
        return self.scope(IncubatorNomination.objects.select_related("cycle", "region", "incubator"))


class FinanceInstitutionViewSet(RegionScoped, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.FinanceInstitutionSerializer
    permission_required = "finance.list_institutions"
    filterset_fields = {"kind": ["exact"], "region__code": ["exact"]}

    def get_queryset(self):
        return self.scope(FinanceInstitution.objects.select_related("region"))


class InvestmentViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Investments: the office reads all; a partner reads and records its own institution's."""

    serializer_class = s.InvestmentSerializer
    permission_required = "finance.list_investments"
    filterset_fields = {"institution": ["exact"], "date": ["gte", "lte"]}

    def get_queryset(self):
        qs = Investment.objects.select_related("institution", "enterprise")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        allowed = allowed_institutions(self.request.user)
        return qs if allowed is None else qs.filter(institution__in=allowed)

    def perform_create(self, serializer):
        if not self.request.user.has_perm("finance.add_investment"):
            raise PermissionDenied()
        try:
            serializer.instance = record_investment(by=self.request.user, **serializer.validated_data)
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e)) from None
        except DjangoValidationError as e:
            raise ValidationError(_messages(e)) from None


class ResultViewSet(RegionScoped, viewsets.ReadOnlyModelViewSet):
    """The confirmed outcome of each review round: the office's all, a bureau its region's."""

    serializer_class = s.ResultSerializer
    permission_any = True
    permission_required = ("reviews.export_results", "enterprises.list_region_nominations")
    object_permission_required = "reviews.view_outcome"
    filterset_fields = {"round__cycle__year": ["exact"], "round__kind": ["exact"], "selected": ["exact"]}

    def get_queryset(self):
        # Selection rounds only: an acceptance round's outcome is a project's 验收, read with the project.
        qs = (ReviewItem.objects.filter(round__results_confirmed_at__isnull=False).exclude(round__kind=RoundKind.ACCEPTANCE)
              .select_related("round__cycle", "region"))
        return self.scope(qs)


class GrantViewSet(viewsets.ReadOnlyModelViewSet):
    """The ledger's grants: the office and approvers read all, a bureau its region's (read only)."""

    serializer_class = s.GrantSerializer
    permission_any = True
    permission_required = ("funding.view_ledger", "funding.list_region")
    object_permission_required = "funding.view_grant"
    filterset_fields = {"cycle__year": ["exact"], "line__code": ["exact"], "state": ["exact"], "region__code": ["exact"]}

    def get_queryset(self):
        qs = Grant.objects.select_related("cycle", "line", "region")
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs if self.request.user.has_perm("funding.view_ledger") else qs.filter(region_id=self.request.user.region_id)


class PaymentViewSet(viewsets.ReadOnlyModelViewSet):
    """Payments (拨付) on the grants one may read."""

    serializer_class = s.PaymentSerializer
    permission_any = True
    permission_required = ("funding.view_ledger", "funding.list_region")
    filterset_fields = {"grant": ["exact"], "state": ["exact"], "paid_on": ["gte", "lte"]}

    def get_queryset(self):
        qs = Payment.objects.all()
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs if user.has_perm("funding.view_ledger") else qs.filter(grant__region_id=user.region_id)


class DemandViewSet(viewsets.ReadOnlyModelViewSet):
    """Enterprises' technical demands: the office, the bureaus (their region's) and results managers."""

    serializer_class = s.DemandSerializer
    permission_required = "techtransfer.list_demands"
    object_permission_required = "techtransfer.see_demand"
    filterset_fields = {"field": ["exact"], "region__code": ["exact"]}

    def get_queryset(self):
        qs = Demand.objects.select_related("enterprise", "region")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs.filter(region_id=user.region_id) if user.role == "bureau" else qs


class TechContractViewSet(viewsets.ReadOnlyModelViewSet):
    """Technology contracts with what was paid on them: the office, a bureau its region's, an institution its own."""

    serializer_class = s.TechContractSerializer
    permission_required = "techtransfer.list_contracts"
    object_permission_required = "techtransfer.see_contract"
    filterset_fields = {"kind": ["exact"], "registered_on": ["gte", "lte"]}

    def get_queryset(self):
        from django.db.models import Sum
        from django.db.models.functions import Coalesce

        qs = TechContract.objects.select_related("enterprise", "institution").annotate(
            paid=Coalesce(Sum("payments__amount"), Decimal("0")))
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        if is_office(user):
            return qs
        if user.role == "bureau":
            return qs.filter(enterprise__region_id=user.region_id)
        if is_results_manager(user):
            return qs.filter(institution__managers__user=user, institution__managers__approved_at__isnull=False)
        return qs.none()


class JobView(generics.RetrieveAPIView):
    """A job's status and progress (a push's, an import's): its requester's, and the office's."""

    serializer_class = s.JobSerializer
    permission_required = "api.view_jobs"
    allowed_scopes = (ApiToken.Scope.TAX_PUSH, ApiToken.Scope.REGISTRY_PUSH)
    object_permission_required = "pojian.view_job"
    queryset = Job.objects.all()


class PushView(APIView):
    """A bulk push: the same import as the office's upload, all or nothing, as a job.

    Send an `Idempotency-Key` header: a retry with the same key and body returns the first push's
    job (200) instead of importing again; the same key with another body is refused (409).
    """

    body_class = None

    def push(self, request, body, token):
        raise NotImplementedError

    def post(self, request):
        body = self.body_class(data=request.data)
        body.is_valid(raise_exception=True)
        token = request.auth if isinstance(request.auth, ApiToken) else None
        try:
            push, created = self.push(request, body.validated_data, token)
        except DjangoValidationError as e:
            code = status.HTTP_409_CONFLICT if getattr(e, "code", "") == "key_reused" else status.HTTP_400_BAD_REQUEST
            return Response({"detail": _messages(e)}, status=code)
        data = s.JobSerializer(push.job).data
        data["url"] = request.build_absolute_uri(f"/api/v1/jobs/{push.job_id}/")
        return Response(data, status=status.HTTP_202_ACCEPTED if created else status.HTTP_200_OK)


PUSH_SCHEMA = {"responses": {202: s.JobSerializer, 200: s.JobSerializer},
               "parameters": [OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER, required=True)]}


class TaxPushView(PushView):
    """Push a fiscal year's tax figures (the tax department's system, or the office)."""

    permission_required = "api.push_tax"
    allowed_scopes = (ApiToken.Scope.TAX_PUSH,)
    body_class = s.TaxPushSerializer

    @extend_schema(request=s.TaxPushSerializer, **PUSH_SCHEMA)
    def post(self, request):
        return super().post(request)

    def push(self, request, body, token):
        return pushes.push_tax(year=body["year"], rows=[dict(r) for r in body["rows"]], by=request.user,
                               idempotency_key=request.headers.get("Idempotency-Key", ""), token=token)


class RegistrationPushView(PushView):
    """Push the province's registration list (入库登记) from the national platform's feed, or the office."""

    permission_required = "api.push_registrations"
    allowed_scopes = (ApiToken.Scope.REGISTRY_PUSH,)
    body_class = s.RegistrationPushSerializer

    @extend_schema(request=s.RegistrationPushSerializer, **PUSH_SCHEMA)
    def post(self, request):
        return super().post(request)

    def push(self, request, body, token):
        return pushes.push_registrations(rows=[dict(r) for r in body["rows"]], by=request.user,
                                         idempotency_key=request.headers.get("Idempotency-Key", ""), token=token)


class TokenViewSet(viewsets.ReadOnlyModelViewSet):
    """Personal API tokens: make one (its key is shown once), list and revoke yours; the office sees all."""

    serializer_class = s.TokenSerializer
    permission_required = "api.use_tokens"
    object_permission_required = "api.revoke_token"

    def get_queryset(self):
        qs = ApiToken.objects.select_related("user")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return qs.none()
        return qs if user.has_perm("api.view_all_tokens") else qs.filter(user=user)

    @extend_schema(request=s.NewTokenSerializer, responses={201: s.TokenSerializer})
    def create(self, request):
        body = s.NewTokenSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            token, key = tokens.issue(user=request.user, by=request.user, **body.validated_data,
                                      second_factor_verified=request.auth is None and is_verified(request.user))
        except DjangoValidationError as e:
            raise ValidationError(_messages(e)) from None
        except DjangoPermissionDenied as e:
            raise PermissionDenied(str(e)) from None
        data = s.TokenSerializer(token).data
        data["key"] = key  # shown this once; only its hash is kept
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: s.TokenSerializer})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        token = self.get_object()
        tokens.revoke(token=token, by=request.user)
        return Response(s.TokenSerializer(token).data)


# --- public, no sign-in ------------------------------------------------------------------------


class PublicThrottle(AnonRateThrottle):
    scope = "public"


class PublicMixin:
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]
    renderer_classes = [JSONRenderer, CSVRenderer]


class PublicNoticeListView(PublicMixin, APIView):
    """Every 公示 that has started, and the confirmed lists: the names, regions and ranks the office published."""

    @extend_schema(responses={200: s.PublicNoticeItemSerializer(many=True)})
    def get(self, request):
        rows = []
        anonymous = request.user
        for notice in PublicNotice.objects.select_related("round__cycle").order_by("-starts", "-pk"):
            if not anonymous.has_perm("reviews.view_public_notice", notice):
                continue
            for item in queries.selected_items(notice.round):
                rows.append({
                    "year": notice.round.cycle.year, "kind": notice.round.kind, "notice": notice.title,
                    "starts": notice.starts, "ends": notice.ends,
                    "confirmed": bool(notice.round.results_confirmed_at),
                    "rank": item.rank, "name": item.nominee_name, "region": item.region.name,
                    "industry": item.get_industry_display() if notice.show_industry and item.industry else None,
                })
        return Response({"results": rows})


class PublicProgressView(PublicMixin, APIView):
    """The progress figures the office released for a year (nothing that was not released)."""

    @extend_schema(responses={200: dict})
    def get(self, request, year):
        from pojian.models import Cycle

        cycle = get_object_or_404(Cycle, year=year)
        data = public_progress(cycle=cycle)
        release = data["release"]
        regions = (data["enterprises"] or {}).get("regions", []) if release else []
        return Response({"year": year, "released_at": release.released_at if release else None,
                         "results": regions})


class PublicResultListView(PublicMixin, generics.ListAPIView):
    """The public 双千 results catalogue: published results, searched by any part of title or summary (?q=)."""

    serializer_class = s.ResultCatalogueSerializer
    filterset_fields = {"field": ["exact"], "maturity": ["exact"]}

    def get_queryset(self):
        from techtransfer.domain import catalogue

        qs = Result.objects.filter(state=Result.State.PUBLISHED).select_related("institution")
        return catalogue.search(qs, q=self.request.query_params.get("q", "")[:100])
