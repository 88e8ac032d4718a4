"""Parts of a page rendered once and reused, by anyone, until something they show changes.

A long page (a plan's goals, a conversation's messages) is mostly parts that did not
change since the last time anyone saw them. Each part is kept in the shared cache under a
key made from a *fingerprint*: every value the part shows or depends on, given by the
caller, plus the template's own text, the language, the time zone and the markers in use.
A change to any of them gives a new key, so a stale part is never shown; no stamps or
invalidation are needed, and the time limit only bounds the memory used.

Parts are rendered without the request (so the context processors, such as menu counts,
do not run once per part) but with its CSRF token, and kept with markers in place of the
token (``portal.pagecache.portable``). A part kept for one person is therefore safe to give
another only if the fingerprint holds everything that differs between them, such as what
each may do and whether a message is their own.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from . import pagecache

logger = logging.getLogger(__name__)

_PREFIX = "fragment:"


def _templates_digest(names: tuple[str, ...]) -> str:
    """Changes when any of the templates do, so a deploy never serves old markup. Read
    again on every request under DEBUG, where templates change without a restart."""
    if settings.DEBUG:
        return _digest_of(names)
    return _digest_once(names)


def _digest_of(names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        # Django's backend template wraps the engine's, which keeps the source.
        template = loader.get_template(name).template  # type: ignore[attr-defined]
        digest.update(template.source.encode())
    return digest.hexdigest()[:16]


_digest_once = functools.cache(_digest_of)


def _key(shared: tuple, fingerprint: tuple) -> str:
    text = repr((shared, fingerprint))
    if " at 0x" in text:
        # An object's default repr holds its address, so the part would never be reused.
        raise ValueError(f"A fragment's fingerprint must hold plain values: {text[:200]}")
    return _PREFIX + hashlib.sha256(text.encode()).hexdigest()


def _render(template_name: str, context: dict, csrf_token: str) -> str:
    return loader.get_template(template_name).render({**context, "csrf_token": csrf_token})


def render_kept(
    request,
    template_name: str,
    parts: Sequence[tuple[tuple, dict]],
    *,
    seconds: int,
    includes: tuple[str, ...] = (),
) -> list[SafeString]:
    """Each part as HTML for ``request``, in order. ``parts`` holds (fingerprint, context)
    pairs; ``includes`` names the templates ``template_name`` includes."""
    shared = (
        _templates_digest((template_name, *includes)),
        pagecache.markers_id(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )
    keys = [_key(shared, fingerprint) for fingerprint, _context in parts]
    try:
        kept = cache.get_many(keys)
    except Exception:  # the cache is a help, never a need
        logger.warning("Kept fragments could not be read", exc_info=True)
        kept = {}
    rendered: list[SafeString] = []
    made = {}
    # One masked token for every part: a page of identical tokens compresses well.
    csrf_token = get_token(request)
    for (_fingerprint, context), key in zip(parts, keys, strict=True):
        if key in kept:
            html = pagecache.personal(request, kept[key], csrf_token)
        else:
            html = _render(template_name, context, csrf_token)
            made[key] = pagecache.portable(request, html)
        rendered.append(mark_safe(html))  # noqa: S308  (made by the template engine)
    if made:
        try:
            cache.set_many(made, timeout=seconds)
        except Exception:
            logger.warning("Fragments could not be kept", exc_info=True)
    return rendered
