"""双千工程, matching: account requests of the institutions' side (the office approves them), 推介 of
published results to enterprises, 意向 (recorded interest), 对接记录 (matching records with a status)
and 对接会 (matchmaking events with participants and outcomes)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise
from pojian.models import Region


class AccountRequest(models.Model):
    """A public request for a 双千 account (成果管理员 of an institution); the office approves or refuses it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the office")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    class Kind(models.TextChoices):
        RESULTS_MANAGER = "results_manager", _("Results manager of a listed institution")
        NEW_INSTITUTION = "new_institution", _("Results manager of an institution not yet listed")

    kind = models.CharField(_("account asked for"), max_length=20, choices=Kind.choices,
                            default=Kind.RESULTS_MANAGER)
    full_name = models.CharField(_("full name"), max_length=50)
    email = models.EmailField(_("e-mail"), max_length=150)
    phone = models.CharField(_("phone"), max_length=30)
    position = models.CharField(_("department and position"), max_length=100)
    institution = models.ForeignKey("techtransfer.Institution", verbose_name=_("institution"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="account_requests")
    institution_name = models.CharField(_("institution name (if not listed)"), max_length=200, blank=True)
    institution_uscc = models.CharField(_("its unified social credit code"), max_length=18, blank=True)
    institution_kind = models.CharField(_("its kind"), max_length=12, blank=True,
                                        choices=[("university", _("University")),
                                                 ("institute", _("Research institute"))])
    institution_region = models.ForeignKey(Region, verbose_name=_("its region"), null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    message = models.TextField(_("message to the office"), blank=True, max_length=1000)
    submitted_from = models.GenericIPAddressField(_("submitted from"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    decision_reason = models.TextField(_("reason"), blank=True, max_length=1000)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("account"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="account_requests")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("account request")
        verbose_name_plural = _("account requests")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["submitted_from", "submitted_on"], name="accountrequest_throttle"),
                   models.Index(fields=["state", "-created_at"], name="accountrequest_state")]

    def __str__(self):
        return f"{self.full_name} · {self.institution or self.institution_name}"


class Recommendation(models.Model):
    """推介: the office or a bureau recommends a published result to an enterprise (of its region)."""

    result = models.ForeignKey("techtransfer.Result", verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="recommendations")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="result_recommendations")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("why it is recommended"), blank=True, max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recommended"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["result", "enterprise"], name="one_recommendation_per_pair")]

    def __str__(self):
        return f"{self.result} → {self.enterprise}"


class Interest(models.Model):
    """意向: one side says it wants to talk about a result (an enterprise, through its bureau, or the institution)."""

    class Side(models.TextChoices):
        ENTERPRISE = "enterprise", _("The enterprise")
        INSTITUTION = "institution", _("The institution")

    result = models.ForeignKey("techtransfer.Result", verbose_name=_("result"), on_delete=models.CASCADE,
                               related_name="interests")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="result_interests")
    demand = models.ForeignKey("techtransfer.Demand", verbose_name=_("demand"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="interests")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    side = models.CharField(_("interested side"), max_length=12, choices=Side.choices)
    note = models.TextField(_("note"), blank=True, max_length=1000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("interest")
        verbose_name_plural = _("interests")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["result", "enterprise", "side"], name="one_interest_per_side")]

    def __str__(self):
        return f"{self.enterprise} · {self.result}"

    @property
    def institution_id(self):
        return self.result.institution_id


class MatchEvent(models.Model):
    """对接会: a matchmaking event, organised by the office (province-wide) or a bureau (its region)."""

    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200)
    region = models.ForeignKey(Region, verbose_name=_("organising region (empty: province-wide)"), null=True,
                               blank=True, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True, max_length=3000)
    enterprises = models.ManyToManyField(Enterprise, verbose_name=_("participating enterprises"), blank=True,
                                         related_name="match_events")
    institutions = models.ManyToManyField("techtransfer.Institution", verbose_name=_("participating institutions"),
                                          blank=True, related_name="match_events")
    outcome = models.TextField(_("outcome"), blank=True, max_length=3000)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[])

    class Meta:
        verbose_name = _("matchmaking event")
        verbose_name_plural = _("matchmaking events")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return self.title


class MatchRecord(models.Model):
    """对接记录: a result and an enterprise (about a demand, maybe at an event) talking, with a status."""

    class Status(models.TextChoices):
        CONTACTED = "contacted", _("In contact")
        NEGOTIATING = "negotiating", _("Negotiating")
        AGREED = "agreed", _("Agreement reached")
        CONTRACTED = "contracted", _("Contract signed")
        ENDED = "ended", _("Ended without agreement")

    result = models.ForeignKey("techtransfer.Result", verbose_name=_("result"), on_delete=models.PROTECT,
                               related_name="match_records")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="match_records")
    demand = models.ForeignKey("techtransfer.Demand", verbose_name=_("demand"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="match_records")
    event = models.ForeignKey(MatchEvent, verbose_name=_("matchmaking event"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="records")
    contract = models.ForeignKey("techtransfer.TechContract", verbose_name=_("contract"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="match_records")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    met_on = models.DateField(_("met on"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.CONTACTED)
    notes = models.TextField(_("what was discussed"), blank=True, max_length=3000)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matching record")
        verbose_name_plural = _("matching records")
        ordering = ["-met_on", "-pk"]
        indexes = [models.Index(fields=["region", "status"], name="matchrecord_region_status")]

    def __str__(self):
        return f"{self.enterprise} · {self.result}"

    @property
    def institution_id(self):
        return self.result.institution_id
