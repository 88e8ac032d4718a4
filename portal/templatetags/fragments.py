"""``{% fragment %}...{% endfragment %}``: a part of a page kept under a key computed from
everything it shows (``portal.fragments``)."""

from __future__ import annotations

import logging

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template import Context, Node, NodeList
from django.template.base import Parser, Token
from django.utils.safestring import SafeString, mark_safe

from portal import fragments

register = template.Library()
logger = logging.getLogger(__name__)


class FragmentNode(Node):
    child_nodelists = ("nodelist",)

    def __init__(self, nodelist: NodeList, place: str):
        self.nodelist = nodelist
        self.place = place
        self.names: frozenset[str] | None = None

    def render(self, context: Context) -> SafeString:
        if settings.DEBUG:
            return self.nodelist.render(context)
        if self.names is None:
            self.names = frozenset(fragments.names_used(self.nodelist, context) - {"csrf_token"})
        key = fragments.key(self.place, {name: context.get(name) for name in self.names})
        try:
            kept = cache.get(key)
        except Exception:  # the cache is a help, never a need
            logger.warning("A kept fragment could not be read", exc_info=True)
            kept = None
        if kept is None:
            with context.push(csrf_token=fragments.CSRF_MARKER):
                kept = str(self.nodelist.render(context))
            try:
                cache.set(key, kept, timeout=fragments.SECONDS)
            except Exception:
                logger.warning("A fragment could not be kept", exc_info=True)
        token = str(context.get("csrf_token") or "")
        return mark_safe(kept.replace(fragments.CSRF_MARKER, token))  # noqa: S308 - made by the template engine


@register.tag("fragment")
def do_fragment(parser: Parser, token: Token) -> FragmentNode:
    """Keep what the block renders until anything it shows changes."""
    nodelist = parser.parse(("endfragment",))
    parser.delete_first_token()
    # Which fragment of which template: the release covers what the templates say.
    origin = str(parser.origin.template_name or "") if parser.origin else ""
    place = f"{origin}:{token.lineno}:{len(parser.tokens)}"
    return FragmentNode(nodelist, place)
