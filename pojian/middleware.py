class ChineseByDefaultMiddleware:
    """The portal speaks Simplified Chinese unless the user chose otherwise (language cookie).

    Browsers on intranet PCs often announce English; the province wants Chinese all the same,
    so the Accept-Language header is ignored and only an explicit choice counts.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class TwoFactorMiddleware:
    """After the password, a user with two-factor gives a code before any page; whoever must have
    two-factor and has not set it up is sent to set it up.

    Runs after django-otp's OTPMiddleware. The sign-in pages themselves, logging out and the
    language switch stay open, so nobody is stuck half signed in.
    """

    OPEN_PAGES = {"otp_verify", "otp_setup", "logout", "set_language", "login", "session_ping"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        from .domain.twofactor import has_two_factor, is_verified, otp_required_for

        user = request.user
        if not user.is_authenticated or is_verified(user):
            return None
        match = request.resolver_match
        if match is None or match.url_name in self.OPEN_PAGES:
            return None
        if has_two_factor(user):
            target = "otp_verify"
        elif otp_required_for(user):
            target = "otp_setup"
        else:
            return None
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


class IdleTimeoutMiddleware:
    """Sign a user out after settings.POJIAN_SESSION_IDLE_MINUTES without a request.

    The time of the last request is kept in the session, written at most once a minute so an
    active user does not cost a session write per request. static/js/session.js warns the user
    before the end and lets them stay (the session_ping page).
    """

    KEY = "last_activity"
    WRITE_EVERY = 60  # seconds

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last = request.session.get(self.KEY)
            if last is not None and now - last > settings.POJIAN_SESSION_IDLE_MINUTES * 60:
                return self._signed_out(request)
            if last is None or now - last >= self.WRITE_EVERY:
                request.session[self.KEY] = now
        return self.get_response(request)

    def _signed_out(self, request):
        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.http import HttpResponse
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _

        logout(request)
        messages.info(request, _("You were signed out after %(minutes)s minutes without activity. Please log in again.")
                      % {"minutes": settings.POJIAN_SESSION_IDLE_MINUTES})
        target = f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


def note_sign_in_as_activity(sender, request=None, user=None, **kwargs):
    """Signing in is activity: the idle clock starts then (connected to user_logged_in in apps.py)."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session[IdleTimeoutMiddleware.KEY] = time.time()


class RefuseNulBytesMiddleware:
    """A NUL byte has no place in an address, a filter or a form: refuse it before any view runs.

    PostgreSQL cannot store or compare a string with NUL in it, so one that reached a query
    would end as a 500. An address with one names no page (404); a query string or form field
    with one is bad input (400, with a message in the user's language).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.http import Http404, HttpResponseBadRequest
        from django.utils.translation import gettext as _

        if "\x00" in request.path:
            raise Http404(_("No page has this address."))
        try:
            fields = [request.GET]
            if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                                     "multipart/form-data"):
                fields.append(request.POST)
            bad = any("\x00" in key or any("\x00" in value for value in data.getlist(key))
                      for data in fields for key in data)
        except ValueError:
            bad = True
        if bad:
            return HttpResponseBadRequest(
                _("The request contains a null character (NUL), which is not allowed. Nothing was changed."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
