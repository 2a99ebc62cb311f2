from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control


class PrivatePagesMiddleware:
    """Pages seen by a logged-in person are never stored by a browser or a proxy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class RequestBodyLimitMiddleware:
    """A request whose declared body is over `MAX_REQUEST_BODY_SIZE` gets the 413 page at once,
    its body unread (the proxy's own limit, `client_max_body_size`, is set to the same value:
    docs/deployment.md)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > settings.MAX_REQUEST_BODY_SIZE:
            from portal.views import request_too_large

            return request_too_large(request)
        return self.get_response(request)
