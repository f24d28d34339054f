"""The reader's language: from their choice, their browser, or the site's.

Django's LocaleMiddleware reads, in order, the language cookie (set by the
footer's switcher through Django's `set_language`), the browser's
Accept-Language and LANGUAGE_CODE. With LANGUAGES_FROM_BROWSER off the
browser is not asked: a blog written in one language reads in it, whatever
the reader's browser prefers, unless the reader chooses otherwise.

The JavaScript catalog is a script served from its own address, one per
language (the CSP allows no inline script), and cached by browsers.
"""

import hashlib

from django.conf import settings
from django.http import Http404
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe
from django.views.i18n import JavaScriptCatalog


class LanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware that may leave the browser's Accept-Language aside."""

    def process_request(self, request):
        if settings.LANGUAGES_FROM_BROWSER:
            return super().process_request(request)
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else None
        translation.activate(language or settings.LANGUAGE_CODE)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        if not settings.LANGUAGES_FROM_BROWSER:
            # Nothing here depends on Accept-Language then; the cookie is in
            # Vary: Cookie already.
            vary = [v.strip() for v in response.get("Vary", "").split(",")]
            kept = [v for v in vary if v and v.lower() != "accept-language"]
            if kept:
                response["Vary"] = ", ".join(kept)
            elif "Vary" in response:
                del response["Vary"]
        return response


_catalog = JavaScriptCatalog.as_view()


@require_safe
def javascript_catalog(request, language: str):
    """The JavaScript strings of `language` (gettext(), ngettext()) as a script."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    with translation.override(language):
        response = _catalog(request)
    etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:32])
    conditional = get_conditional_response(request, etag=etag)
    if conditional is not None:
        response = conditional
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=3600)
    return response


def reader_language() -> str:
    """The language of the request being answered, to store for later emails."""
    language = translation.get_language()
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def written_in(language: str):
    """Write (an email) in `language`; the site's language if empty or unknown.

    Emails are rendered after commit, in a background thread or a command,
    where the request's language is gone or another reader's: each is
    written in the language of the person it is for.
    """
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    return translation.override(language)
