"""Demo data: the Khans' team records attendance, incidents, housing and health visits."""

from __future__ import annotations


def seed_demo(people: dict) -> None:
    return None
