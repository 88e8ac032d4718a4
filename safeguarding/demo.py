"""Demo data: the school has raised a concern about the Khans that awaits a decision."""

from __future__ import annotations

from . import services
from .models import Concern

SCHOOL_CONCERN = (
    "Zara came to school with a bruise on her arm. She said she fell, but she did not want "
    "to go home at the end of the day and asked if she could stay for after-school club."
)


def seed_demo(people: dict) -> None:
    family = people["family:parent"]
    partner = people["partner"]
    if Concern.objects.filter(family=family, raised_by=partner).exists():
        return
    services.concern_raise(
        family=family,
        raised_by=partner,
        about=Concern.About.CHILD,
        details=SCHOOL_CONCERN,
    )
