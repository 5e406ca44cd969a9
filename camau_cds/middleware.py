"""Project-wide HTTP middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

# No inline scripts or styles anywhere: every script is a static file. Swagger UI is served
# by drf-spectacular's split view, which keeps its initialiser in a separate script too.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Adds a strict Content-Security-Policy header to every HTML response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        return response


class RejectNulBytesMiddleware:
    """400 for a NUL byte in the path or the query string.

    PostgreSQL cannot store or compare text containing NUL, so such a code or filter reached
    the database as a 500 (found by schemathesis on PostgreSQL). Form and API body fields
    already refuse NUL through Django's and DRF's CharField validators.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in v for v in values) for key, values in request.GET.lists()
        ):
            from django.http import HttpResponseBadRequest
            from django.utils.translation import gettext as _

            detail = _("Địa chỉ yêu cầu chứa ký tự không hợp lệ.")
            if request.path.startswith("/api/"):
                from core.api.errors import problem_response

                return problem_response(400, detail, code="invalid")
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class DefaultVietnameseLocaleMiddleware:
    """Vietnamese unless the user chose another language with the switch (language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many officers'
    browsers say English; the province wants Vietnamese by default.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class PrivateCacheMiddleware:
    """Responses for a signed-in user or a token stay out of shared caches.

    Such a response may carry what only its client may read (a member's phone number, draft
    figures): `Cache-Control: private` (and `no-store` for HTML pages), `Vary: Cookie,
    Authorization` on every response so that a cache never serves one client's answer to
    another. The user is read after the view: DRF's token authentication sets it there.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils.cache import patch_cache_control, patch_vary_headers

        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie", "Authorization"))
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            if response.get("Content-Type", "").startswith("text/html"):
                patch_cache_control(response, private=True, no_store=True)
            else:
                patch_cache_control(response, private=True)
        return response
