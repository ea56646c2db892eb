"""How the OpenAPI schema describes the portal's bearer tokens."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.TokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "pj_<prefix>_<secret>",
                "description": "A personal token, or a system client's token with one scope."}
