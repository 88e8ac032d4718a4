"""Disclosure control: how a figure about families is shown so that no family can be
picked out of it. One module for every app that shows counts to people who should not
see the families behind them (the intervention library's usage, the outcome reports).

Two rules, each stated on whatever it is used for:

- ``SCREEN``, figures on a page that cover more than one team: a count of 1 to 7 reads
  "fewer than 8"; any other is rounded to the nearest 5; a rate is worked out from the
  rounded counts, and not shown when either count is hidden.
- ``EXPORT``, figures in a file that leaves the portal: a count under 10 is left out;
  any other is rounded to the nearest 5; rates as above.

A practitioner's own caseload is shown in full (``EXACT``): they know the families.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# Fewer families than this are never shown as a number on a page.
FEWEST_FAMILIES = 8


@dataclass(frozen=True)
class Rule:
    key: str
    # Counts from 1 up to (not including) ``hide_under`` are hidden; 0 is shown as 0 on a
    # page (nothing to pick out) but left out of an export, which never says "none" of a
    # group it could otherwise not name.
    hide_under: int
    round_to: int
    hidden_text: StrOrPromise
    statement: StrOrPromise

    def describe(self) -> str:
        return str(self.statement)


EXACT = Rule(
    key="exact",
    hide_under=0,
    round_to=1,
    hidden_text="",
    statement=gettext_lazy("Exact figures: these are the families you work with."),
)
SCREEN = Rule(
    key="screen",
    hide_under=FEWEST_FAMILIES,
    round_to=5,
    hidden_text=gettext_lazy("fewer than 8"),
    statement=gettext_lazy(
        "Counts from 1 to 7 are shown as 'fewer than 8'; other counts are rounded to the "
        "nearest 5, and rates are worked out from the rounded counts."
    ),
)
EXPORT = Rule(
    key="export",
    hide_under=10,
    round_to=5,
    hidden_text="",
    statement=gettext_lazy(
        "Counts under 10 are left out; other counts are rounded to the nearest 5, and "
        "rates are worked out from the rounded counts."
    ),
)


@dataclass(frozen=True)
class Figure:
    """A count or rate as it may be shown: ``value`` None when it is hidden."""

    value: int | float | None
    text: str

    @property
    def hidden(self) -> bool:
        return self.value is None


def _round(count: int, to: int) -> int:
    # Whole numbers to the nearest multiple of ``to`` (5: 12 is 10, 13 is 15).
    return ((count + to // 2) // to) * to


def count(number: int, rule: Rule) -> Figure:
    """``number`` of families (or needs, or records) as ``rule`` lets it be shown."""
    if number < 0:
        raise ValueError("a count cannot be negative")
    if rule is EXACT:
        return Figure(number, str(number))
    if 0 < number < rule.hide_under or (number == 0 and rule is EXPORT):
        return Figure(None, str(rule.hidden_text))
    rounded = _round(number, rule.round_to)
    return Figure(rounded, str(rounded))


def rate(numerator: int, denominator: int, rule: Rule) -> Figure:
    """``numerator`` out of ``denominator`` as a percentage, from the counts as shown."""
    top, bottom = count(numerator, rule), count(denominator, rule)
    if top.hidden or bottom.hidden or not bottom.value:
        return Figure(None, str(rule.hidden_text) or _("not shown"))
    percent = round(100 * float(top.value or 0) / float(bottom.value), 1)
    return Figure(percent, f"{percent:g}%")
