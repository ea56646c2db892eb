"""The admin site: the portal's sign-in (password, then the second factor) guards it."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .domain.twofactor import has_two_factor, is_verified, otp_required_for


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request):
        user = request.user
        if not super().has_permission(request):
            return False
        return is_verified(user) or not (otp_required_for(user) or has_two_factor(user))

    def login(self, request, extra_context=None):
        # One way in for everybody: the portal's login page, with lock-out and the second factor.
        next_url = request.GET.get("next") or reverse("admin:index")
        if request.user.is_authenticated:
            if not is_verified(request.user) and (otp_required_for(request.user) or has_two_factor(request.user)):
                return redirect(f"{reverse('otp_verify')}?{urlencode({'next': next_url})}")
            raise PermissionDenied  # signed in, but not an admin user: no loop back to the login page
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")
