"""Each user's own sign-in: the second step after the password, two-factor set-up, backup codes,
the account page with recent sign-ins."""

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from .domain import twofactor
from .domain.errors import ValidationError
from .domain.signin import recent_signins
from .forms import CodeForm
from .mixins import PortalPermissionMixin, message_for

PENDING_KEY = "otp_pending_key"


def next_url(request, default=None):
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return url
    return default or settings.LOGIN_REDIRECT_URL


class OTPVerifyView(PortalPermissionMixin, View):
    """The second step of signing in: a code from the authenticator, or one backup code."""

    permission_required = "pojian.manage_own_account"
    template_name = "registration/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not twofactor.has_two_factor(request.user):
            if twofactor.otp_required_for(request.user):
                return redirect(f"{reverse('otp_setup')}?{request.GET.urlencode()}")
            return redirect(next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        if twofactor.is_verified(request.user):
            return redirect(next_url(request))
        return self._page(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            device = twofactor.verify(user=request.user, token=form.cleaned_data["code"])
            if device is not None:
                django_otp.login(request, device)
                if twofactor.device_kind(device) == "backup":
                    messages.warning(
                        request,
                        _("You signed in with a backup code; it cannot be used again. %(left)s backup codes are left.")
                        % {"left": twofactor.backup_codes_left(request.user)},
                    )
                return redirect(next_url(request))
            form.add_error("code", _("That code is not right, or was already used. Try the current code."))
        return self._page(form)

    def _page(self, form):
        return render(self.request, self.template_name, {"form": form, "next": next_url(self.request)})


class TwoFactorView(PortalPermissionMixin, View):
    """Turn two-factor on (scan, confirm with a code), get new backup codes, or turn it off."""

    permission_required = "pojian.manage_own_account"

    def get(self, request):
        user = request.user
        if twofactor.has_two_factor(user):
            return render(request, "registration/otp_status.html", {
                "required": twofactor.otp_required_for(user),
                "codes_left": twofactor.backup_codes_left(user),
            })
        return self._setup_page(CodeForm())

    def post(self, request):
        action = request.POST.get("action")
        user = request.user
        try:
            if action == "confirm":
                key = request.session.get(PENDING_KEY)
                form = CodeForm(request.POST)
                if key is None or not form.is_valid():
                    return self._setup_page(form)
                try:
                    device, codes = twofactor.confirm_authenticator(user=user, key=key, token=form.cleaned_data["code"])
                except ValidationError as e:
                    form.add_error("code", message_for(e))
                    return self._setup_page(form)
                request.session.pop(PENDING_KEY, None)
                django_otp.login(request, device)  # the code just given proves the factor for this session
                messages.success(request, _("Two-factor sign-in is on."))
                return self._codes_page(codes)
            if action == "regenerate":
                return self._codes_page(twofactor.regenerate_backup_codes(user=user))
            if action == "disable":
                twofactor.disable(user=user)
                messages.success(request, _("Two-factor sign-in is off."))
                return redirect("otp_setup")
        except ValidationError as e:
            messages.error(request, message_for(e))
        return redirect("otp_setup")

    def _setup_page(self, form):
        request = self.request
        key = request.session.get(PENDING_KEY)
        if key is None:
            key = request.session[PENDING_KEY] = twofactor.new_secret()
        device = twofactor.unsaved_device(user=request.user, key=key)
        return render(request, "registration/otp_setup.html", {
            "form": form,
            "qr_svg": twofactor.qr_svg(device),
            "secret": twofactor.secret_for_typing(device),
            "required": twofactor.otp_required_for(request.user),
            "next": next_url(request, default=""),
        })

    def _codes_page(self, codes):
        return render(self.request, "registration/backup_codes.html", {"codes": codes, "next": next_url(self.request)})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by e-mail, with the portal's texts; the link is built on settings.SITE_URL,
    never on the Host header a visitor sent."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    @property
    def extra_email_context(self):
        return {"site_url": settings.SITE_URL.rstrip("/"), "hours": max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)}


class SessionPingView(PortalPermissionMixin, View):
    """"Stay signed in": a request that counts as activity (the idle middleware notes it)."""

    permission_required = "pojian.manage_own_account"

    def get(self, request):
        return JsonResponse({"idle_seconds": settings.POJIAN_SESSION_IDLE_MINUTES * 60})


class AccountView(PortalPermissionMixin, TemplateView):
    """The user's own account: two-factor status, password, recent sign-ins."""

    permission_required = "pojian.manage_own_account"
    template_name = "registration/account.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["two_factor"] = twofactor.has_two_factor(user)
        ctx["two_factor_required"] = twofactor.otp_required_for(user)
        ctx["signins"] = recent_signins(user)
        return ctx



def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: the portal's page, in Chinese, HTTP 429."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    minutes = int(cool_off.total_seconds() // 60) if cool_off else 0
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes},
                  status=getattr(settings, "AXES_HTTP_RESPONSE_CODE", 429))
