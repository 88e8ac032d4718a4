"""Showing what people wrote: escaped, line breaks kept, web links made safe."""

from __future__ import annotations

import re

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

# Only plain web links become links; everything else stays text.
_LINK = re.compile(r"\bhttps?://[^\s<>\"']{1,500}", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def _link(url: str) -> str:
    trail = ""
    while url and url[-1] in _TRAILING:
        trail = url[-1] + trail
        url = url[:-1]
    return format_html(
        '<a class="govuk-link" href="{}" rel="nofollow noopener noreferrer">{}</a>',
        url,
        url,
    ) + escape(trail)


def message_html(body: str) -> SafeString:
    """Escape the text, turn http(s) links into safe links and keep line breaks."""
    parts: list[str] = []
    position = 0
    for match in _LINK.finditer(body or ""):
        parts.append(escape(body[position : match.start()]))
        parts.append(_link(match.group(0)))
        position = match.end()
    parts.append(escape((body or "")[position:]))
    html = "".join(str(p) for p in parts).replace("\n", "<br>")
    return mark_safe(html)  # noqa: S308 - every piece above was escaped
