"""Kept fragments: a block is made once and reused until anything it shows changes."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation

from portal import fragments
from portal.models import Family, FamilyMember
from portal.prepared import prepared
from tests import factories


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _engine(**templates: str) -> Engine:
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", templates)],
        libraries={"fragments": "portal.templatetags.fragments"},
        builtins=["django.templatetags.i18n"],
    )


def _render(engine: Engine, template: str, **context) -> str:
    return engine.get_template(template).render(Context(context))


@dataclass
class Card:
    title: str
    tags: list[str] = field(default_factory=list)
    _private_counter: int = 0

    @property
    def made(self) -> str:
        # Not an attribute, so not part of the key: counts how often the block was made.
        Card.times_made += 1
        return ""

    times_made = 0


def test_a_block_is_made_once_while_what_it_shows_is_the_same():
    engine = _engine(
        page="{% load fragments %}{% fragment %}{{ card.made }}<h1>{{ card.title }}</h1>{% for t in card.tags %}<i>{{ t }}</i>{% endfor %}{% endfragment %}"
    )
    Card.times_made = 0
    first = _render(engine, "page", card=Card("Goal", ["a", "b"]))
    again = _render(engine, "page", card=Card("Goal", ["a", "b"], _private_counter=9))
    assert first == again == "<h1>Goal</h1><i>a</i><i>b</i>"
    assert Card.times_made == 1

    changed = _render(engine, "page", card=Card("Goal", ["a"]))
    assert changed == "<h1>Goal</h1><i>a</i>"
    assert Card.times_made == 2


def test_a_change_to_a_related_record_makes_the_block_again():
    family = Family(pk=1, display_name="The Smiths")
    member = FamilyMember(pk=2, name="Aisha", family=family)
    engine = _engine(
        page="{% load fragments %}{% fragment %}{{ member.name }} of {{ member.family.display_name }}{% endfragment %}"
    )
    assert _render(engine, "page", member=member) == "Aisha of The Smiths"
    family.display_name = "The Khans"
    assert _render(engine, "page", member=member) == "Aisha of The Khans"


def test_what_an_included_template_shows_is_part_of_the_key():
    engine = _engine(
        page='{% load fragments %}{% fragment %}[{% include "part" %}]{% endfragment %}',
        part="{{ only_here }}",
    )
    assert _render(engine, "page", only_here="one") == "[one]"
    assert _render(engine, "page", only_here="two") == "[two]"


def test_words_in_a_translation_block_are_part_of_the_key():
    engine = _engine(
        page="{% load fragments %}{% fragment %}{% blocktranslate %}Hello {{ name }}{% endblocktranslate %}{% endfragment %}"
    )
    assert _render(engine, "page", name="Aisha") == "Hello Aisha"
    assert _render(engine, "page", name="Imran") == "Hello Imran"


def test_each_request_gets_its_own_csrf_token():
    engine = _engine(
        page="{% load fragments %}{% fragment %}<form>{% csrf_token %}{{ x }}</form>{% endfragment %}"
    )
    first = _render(engine, "page", x=1, csrf_token="token-one")
    second = _render(engine, "page", x=1, csrf_token="token-two")
    assert 'value="token-one"' in first
    assert 'value="token-two"' in second
    assert fragments.CSRF_MARKER not in first + second


def test_the_language_is_part_of_the_key():
    engine = _engine(
        page='{% load fragments %}{% fragment %}{% translate "Yes" %}{{ x }}{% endfragment %}'
    )
    with translation.override("en-gb"):
        assert _render(engine, "page", x="") == "Yes"
    with translation.override("fr"):
        assert _render(engine, "page", x="") == "Oui"


@pytest.mark.django_db
def test_a_query_not_yet_run_cannot_be_part_of_a_key():
    engine = _engine(
        page="{% load fragments %}{% fragment %}{% for f in families %}{{ f }}{% endfor %}{% endfragment %}"
    )
    with pytest.raises(fragments.UnkeyableValue):
        _render(engine, "page", families=Family.objects.all())
    assert _render(engine, "page", families=list(Family.objects.all())) == ""


def test_a_value_without_a_stable_description_is_refused():
    engine = _engine(page="{% load fragments %}{% fragment %}{{ thing }}{% endfragment %}")
    with pytest.raises(fragments.UnkeyableValue):
        _render(engine, "page", thing=object())


def test_a_tag_that_reads_the_whole_context_or_the_clock_is_refused():
    engine = _engine(
        clock='{% load fragments %}{% fragment %}{% now "Y" %}{% endfragment %}',
    )
    with pytest.raises(TemplateSyntaxError):
        _render(engine, "clock")


def test_nothing_is_kept_under_debug(settings):
    settings.DEBUG = True
    engine = _engine(
        page="{% load fragments %}{% fragment %}{{ card.made }}{{ card.title }}{% endfragment %}"
    )
    Card.times_made = 0
    _render(engine, "page", card=Card("A"))
    _render(engine, "page", card=Card("A"))
    assert Card.times_made == 2


def test_what_a_lazy_object_stands_for_is_part_of_the_key():
    """request.user is a lazy object whose own attributes are private: the key is made
    from the person it stands for (a block showing their name changes with it)."""
    from django.utils.functional import SimpleLazyObject

    from portal.models import User

    engine = _engine(
        page="{% load fragments %}{% fragment %}{{ me.preferred_name }}{% endfragment %}"
    )
    person = User(pk=3, email="a@example.org", preferred_name="Aisha")
    assert _render(engine, "page", me=SimpleLazyObject(lambda: person)) == "Aisha"
    person.preferred_name = "Ash"
    assert _render(engine, "page", me=SimpleLazyObject(lambda: person)) == "Ash"


@pytest.mark.django_db
def test_rows_not_yet_built_are_keyed_by_the_rows_and_built_ones_by_their_objects(key_worker):
    query = prepared(worker_id=int)(
        lambda worker_id: Family.objects.filter(lead_key_worker_id=worker_id).order_by("pk")
    )
    factories.family(key_worker=key_worker, name="The Smiths")
    engine = _engine(
        page="{% load fragments %}{% fragment %}{% for f in families %}{{ f.display_name }} {% endfor %}{% endfragment %}"
    )
    rows = query.lazy_rows(worker_id=key_worker.pk)
    assert _render(engine, "page", families=rows) == "The Smiths "
    # Read again, nothing changed: the kept block, and no family built to find it.
    again = query.lazy_rows(worker_id=key_worker.pk)
    assert _render(engine, "page", families=again) == "The Smiths " and not again.built
    # A changed row is a new key.
    Family.objects.filter(lead_key_worker=key_worker).update(display_name="The Khans")
    assert _render(engine, "page", families=query.lazy_rows(worker_id=key_worker.pk)) == (
        "The Khans "
    )
    # Built objects may have been changed since they were read: they are what counts.
    changed = query.lazy_rows(worker_id=key_worker.pk)
    changed[0].display_name = "Changed in memory"
    assert _render(engine, "page", families=changed) == "Changed in memory "
