"""API tokens (personal, or a system client's with one scope) and the idempotency keys of bulk pushes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token. Only a hash of the key is kept: the key is shown once, when it is made."""

    class Scope(models.TextChoices):
        # A person's token acts with that person's permissions, on every endpoint they may use.
        PERSONAL = "personal", _("personal (acts as its owner)")
        # A system client may do one thing only.
        TAX_PUSH = "tax_push", _("tax department: push tax figures")
        REGISTRY_PUSH = "registry_push", _("registry: push the registration list")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.CASCADE,
                             related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.PERSONAL)
    prefix = models.CharField(_("key prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("revoked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None and self.expires_at > timezone.now()


class Push(models.Model):
    """A bulk push received through the API, by its idempotency key: a retried push joins the first one."""

    token = models.ForeignKey(ApiToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="pushes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=30)
    idempotency_key = models.CharField(max_length=100)
    body_hash = models.CharField(max_length=64)
    job = models.ForeignKey("pojian.Job", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("API push")
        verbose_name_plural = _("API pushes")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "idempotency_key"], name="api_push_idempotent"),
            models.CheckConstraint(condition=~Q(idempotency_key=""), name="api_push_key_given"),
        ]

    def __str__(self):
        return f"{self.kind} {self.idempotency_key}"
