"""Who may use the API for what. The data endpoints use the apps' own permissions (enterprises.view_…);
these are the API's own: tokens, system clients and the bulk pushes."""

import rules

from pojian.rules import is_office


@rules.predicate
def is_token_owner(user, token):
    return token is not None and user.is_authenticated and token.user_id == user.pk


def scope_is(scope):
    """The request came with a system client's token of this scope (set on the user by the API's
    authentication, for that request only)."""

    @rules.predicate(name=f"scope_is_{scope}")
    def predicate(user):
        return getattr(user, "api_scope", None) == scope

    return predicate


@rules.predicate
def is_person(user):
    """Signed in as a person: a session, or a personal token (a system client's token is not a person)."""
    return user.is_authenticated and getattr(user, "api_scope", "personal") == "personal"


rules.add_perm("api.use_tokens", is_person)
# A job by id: signed in (each job then by pojian.view_job: its requester's, or the office's).
rules.add_perm("api.view_jobs", rules.is_authenticated)
rules.add_perm("api.revoke_token", is_person & (is_token_owner | is_office))
rules.add_perm("api.manage_clients", is_person & is_office)
rules.add_perm("api.view_all_tokens", is_person & is_office)
# The bulk pushes: the office (in person), or the system client of that scope, nobody else.
rules.add_perm("api.push_tax", (is_person & is_office) | scope_is("tax_push"))
rules.add_perm("api.push_registrations", (is_person & is_office) | scope_is("registry_push"))
rules.add_perm("api.view_push", (is_person & is_office) | scope_is("tax_push") | scope_is("registry_push"))
# The admin, for the office.
for _action in ("view", "change", "delete"):
    rules.add_perm(f"api.{_action}_apitoken", is_office)
rules.add_perm("api.view_push_record", is_office)
