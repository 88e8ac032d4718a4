"""Demo meetings and appointments for the Khans."""

from __future__ import annotations


def seed_demo(people: dict) -> None:
    return None
