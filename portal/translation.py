"""Looking up a translation once per language and process, not on every use.

Every ``{% translate %}``, ``gettext_lazy`` label and choice shown on a page calls the
active translation's ``gettext``. Django keeps each app's catalogue with a different plural
rule as a separate dictionary and walks them all, then a chain of fallback catalogues, for
every word the catalogues do not hold, which in English is nearly every word the portal
writes: about 15 microseconds each, several hundred times on a plan page. A catalogue never
changes once loaded (Django builds a new translation object when the settings that shape
it change), so each translation object keeps what it found the first time.
"""

from __future__ import annotations

from gettext import GNUTranslations

from django.utils.translation import trans_real

# Messages are the portal's and its libraries' own strings, so this stays small; the cap
# keeps a caller that translates text it was given from growing it for ever.
MAX_REMEMBERED = 20_000

_MEMO = "_portal_translations"


def _gettext(self: trans_real.DjangoTranslation, message: str) -> str:
    memo: dict[str, str] | None = self.__dict__.get(_MEMO)
    if memo is None:
        memo = self.__dict__[_MEMO] = {}
    try:
        return memo[message]
    except KeyError:
        pass
    result = GNUTranslations.gettext(self, message)
    if len(memo) < MAX_REMEMBERED:
        memo[message] = result
    return result


def remember_translations() -> None:
    """Make every Django translation object remember what it has looked up (once, at start)."""
    if trans_real.DjangoTranslation.gettext is not _gettext:
        # The stubs type gettext on the base class; this one is only ever bound to Django's.
        trans_real.DjangoTranslation.gettext = _gettext  # type: ignore[method-assign,assignment]
