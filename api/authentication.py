"""Bearer tokens for the API: `Authorization: Bearer pj_…`."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .domain import tokens


class TokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must read: Bearer <token>."))
        token = tokens.authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        user = token.user
        # What the token may do is read by the permission checks (api.rules.scope_is, ScopedRulesPermission).
        user.api_scope = token.scope
        user.api_token = token
        return user, token

    def authenticate_header(self, request):
        return self.keyword
