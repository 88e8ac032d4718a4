"""Disclosure control: one test for each clause of the rules."""

import pytest

from portal import disclosure
from portal.disclosure import EXACT, EXPORT, SCREEN


@pytest.mark.parametrize("number", [1, 2, 7])
def test_on_a_page_counts_from_1_to_7_read_fewer_than_8(number):
    figure = disclosure.count(number, SCREEN)
    assert figure.hidden
    assert figure.text == "fewer than 8"


@pytest.mark.parametrize(
    ("number", "shown"), [(0, 0), (8, 10), (12, 10), (13, 15), (22, 20), (23, 25), (100, 100)]
)
def test_on_a_page_other_counts_are_rounded_to_the_nearest_5(number, shown):
    assert disclosure.count(number, SCREEN).value == shown


@pytest.mark.parametrize("number", [0, 1, 7, 8, 9])
def test_an_export_leaves_out_counts_under_10(number):
    assert disclosure.count(number, EXPORT).hidden


@pytest.mark.parametrize(("number", "shown"), [(10, 10), (12, 10), (13, 15), (47, 45)])
def test_an_export_rounds_the_rest_to_the_nearest_5(number, shown):
    assert disclosure.count(number, EXPORT).value == shown


def test_rates_are_worked_out_from_the_rounded_counts():
    # 13 of 22 is 59.1%; shown, it is 15 of 20.
    assert disclosure.rate(13, 22, SCREEN).value == 75.0
    assert disclosure.rate(13, 22, SCREEN).text == "75%"


def test_a_rate_is_not_shown_when_either_count_is_hidden():
    assert disclosure.rate(3, 40, SCREEN).hidden
    assert disclosure.rate(9, 40, EXPORT).hidden
    assert disclosure.rate(0, 0, SCREEN).hidden


def test_a_practitioners_own_caseload_is_exact():
    assert disclosure.count(3, EXACT).value == 3
    assert disclosure.rate(1, 3, EXACT).value == 33.3


def test_every_rule_states_itself():
    for rule in (EXACT, SCREEN, EXPORT):
        assert rule.describe()
    assert "fewer than 8" in SCREEN.describe()
    assert "under 10" in EXPORT.describe()
