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
