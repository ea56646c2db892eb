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
