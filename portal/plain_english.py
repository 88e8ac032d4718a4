"""Friendly plain-English hints for text that staff write for families.

``check(text)`` is pure apart from reading the jargon list, which the plans app keeps and
hands to the core through ``portal.registry`` (pass ``jargon=`` to avoid even that), so
the plans forms, the htmx endpoint and the Wagtail editor can all use it.
It never blocks anything: it returns hints. Families' own words are never checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import textstat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import registry

TARGET_READING_AGE = 9
LONG_SENTENCE_WORDS = 20
LONG_WORD_SYLLABLES = 4
LONG_WORD_LETTERS = 13
# Reading age in England is roughly the US school grade plus five years.
GRADE_TO_AGE = 5
# Below this many words a reading age says more about the formula than the text.
MIN_WORDS_FOR_AGE = 12

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


@dataclass(frozen=True)
class JargonHit:
    term: str
    alternative: str


@dataclass(frozen=True)
class Report:
    """What ``check`` found. ``hints`` are ready to show to the writer."""

    word_count: int
    reading_age: int | None
    target_age: int
    long_sentences: list[str] = field(default_factory=list)
    long_words: list[str] = field(default_factory=list)
    jargon: list[JargonHit] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.hints

    def as_dict(self) -> dict:
        return {
            "word_count": self.word_count,
            "reading_age": self.reading_age,
            "target_age": self.target_age,
            "long_sentences": self.long_sentences,
            "long_words": self.long_words,
            "jargon": [{"term": j.term, "alternative": j.alternative} for j in self.jargon],
            "hints": self.hints,
            "ok": self.ok,
        }


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _is_long_word(word: str) -> bool:
    bare = word.strip("'’-")
    if len(bare) >= LONG_WORD_LETTERS:
        return True
    return len(bare) > 6 and textstat.syllable_count(bare) >= LONG_WORD_SYLLABLES


def check(
    text: str,
    *,
    jargon: Iterable[tuple[str, str]] | None = None,
    target_age: int = TARGET_READING_AGE,
) -> Report:
    """Check ``text`` for long sentences, long words, jargon and reading age."""
    text = (text or "").strip()
    words = _WORD.findall(text)
    if not words:
        return Report(word_count=0, reading_age=None, target_age=target_age)

    long_sentences = [s for s in _sentences(text) if len(_WORD.findall(s)) > LONG_SENTENCE_WORDS]

    seen: set[str] = set()
    long_words = []
    for word in words:
        key = word.lower()
        if key not in seen and _is_long_word(word):
            seen.add(key)
            long_words.append(word)

    lowered = text.lower()
    hits = []
    for term, alternative in registry.jargon() if jargon is None else jargon:
        pattern = r"(?<![A-Za-z])" + re.escape(term.lower()) + r"(?![A-Za-z])"
        if re.search(pattern, lowered):
            hits.append(JargonHit(term=term, alternative=alternative))

    reading_age = None
    if len(words) >= MIN_WORDS_FOR_AGE:
        reading_age = max(5, round(textstat.flesch_kincaid_grade(text) + GRADE_TO_AGE))

    hints = []
    for hit in hits:
        hints.append(
            _("Try “%(alternative)s” instead of “%(term)s”.")
            % {"alternative": hit.alternative, "term": hit.term}
        )
    if long_sentences:
        hints.append(
            ngettext(
                "One sentence has more than %(limit)d words. Could you split it in two?",
                "%(count)d sentences have more than %(limit)d words. Could you split them?",
                len(long_sentences),
            )
            % {"count": len(long_sentences), "limit": LONG_SENTENCE_WORDS}
        )
    if long_words:
        hints.append(
            _("Some words are long: %(words)s. Is there a shorter word?")
            % {"words": ", ".join(long_words[:5])}
        )
    if reading_age is not None and reading_age > target_age:
        hints.append(
            _(
                "This reads like it is for someone aged about %(age)d. "
                "Aim for a reading age of %(target)d: short sentences and everyday words."
            )
            % {"age": reading_age, "target": target_age}
        )
    return Report(
        word_count=len(words),
        reading_age=reading_age,
        target_age=target_age,
        long_sentences=long_sentences,
        long_words=long_words,
        jargon=hits,
        hints=hints,
    )
