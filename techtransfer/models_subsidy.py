"""The contract subsidy's workflow (技术合同后补助): a bureau's application for one of its enterprises,
choosing the contracts it claims for; the office's check of each payment's receipt.

Imported by techtransfer/models.py so Django finds the models; the rules live in
techtransfer/domain/subsidy_workflow.py.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from enterprises.models import Enterprise
from pojian.models import Region
from reviews.models import OnlineObjection

MONEY = {"max_digits": 16, "decimal_places": 2}


class SubsidyApplication(models.Model):
    """A bureau's application for one enterprise and one year's rule; the computed amount is stored on it.

    Withheld: an objection to it on the 公示 was upheld, so it is off the list and gets no grant."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        WITHHELD = "withheld", _("Withheld (objection upheld)")

    rule = models.ForeignKey("techtransfer.ContractSubsidyRule", verbose_name=_("rule"), on_delete=models.PROTECT,
                             related_name="applications")
    enterprise = models.ForeignKey(Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                   related_name="contract_subsidy_applications")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+")
    contracts = models.ManyToManyField("techtransfer.TechContract", verbose_name=_("contracts claimed"),
                                       related_name="subsidy_applications")
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted"))
    base = models.DecimalField(_("base: amount paid and checked (yuan)"), default=Decimal("0"), **MONEY)
    banded = models.DecimalField(_("by the bands (yuan)"), default=Decimal("0"), **MONEY)
    granted = models.DecimalField(_("subsidy (yuan)"), default=Decimal("0"), **MONEY)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    grant = models.OneToOneField("funding.Grant", verbose_name=_("grant"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="contract_subsidy_application")
    version = models.PositiveIntegerField(default=1, editable=False)
    history = HistoricalRecords(excluded_fields=["explanation"])

    class Meta:
        verbose_name = _("contract subsidy application")
        verbose_name_plural = _("contract subsidy applications")
        ordering = ["region__sort_order", "enterprise__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["rule", "enterprise"], name="one_contract_subsidy_application")]

    def __str__(self):
        return f"{self.rule.year} · {self.enterprise}"


class PaymentCheck(models.Model):
    """The office's check of one payment's receipt: only accepted payments count for the subsidy."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("Receipt accepted")
        REJECTED = "rejected", _("Receipt rejected")

    payment = models.OneToOneField("techtransfer.ContractPayment", verbose_name=_("payment"),
                                   on_delete=models.CASCADE, related_name="receipt_check")
    state = models.CharField(_("check"), max_length=10, choices=State.choices)
    reason = models.TextField(_("reason"), blank=True, max_length=1000)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("checked"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("receipt check")
        verbose_name_plural = _("receipt checks")

    def __str__(self):
        return f"{self.payment} · {self.state}"


class SubsidyObjection(OnlineObjection):
    """An objection (异议) to a name on the contract subsidy's 公示, submitted by anyone during the period;
    the office decides it with a reason, and an upheld one withholds the application's grant."""

    rule = models.ForeignKey("techtransfer.ContractSubsidyRule", verbose_name=_("rule"), on_delete=models.CASCADE,
                             related_name="objections")
    application = models.ForeignKey(SubsidyApplication, verbose_name=_("enterprise"), on_delete=models.PROTECT,
                                    related_name="objections")
    history = HistoricalRecords()

    class Meta(OnlineObjection.Meta):
        verbose_name = _("objection to the contract subsidy list")
        verbose_name_plural = _("objections to the contract subsidy list")

    @property
    def entry(self):
        return self.application
