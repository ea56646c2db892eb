"""Errors a domain function raises; views show their message to the user as it is."""

from django.core.exceptions import PermissionDenied, ValidationError


class TransitionNotAllowed(ValidationError):
    """The object is not in a state from which this change is possible."""


class StaleEdit(ValidationError):
    """Someone else saved the object since this user loaded it."""


__all__ = ["PermissionDenied", "StaleEdit", "TransitionNotAllowed", "ValidationError"]
