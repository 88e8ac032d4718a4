"""The core's background work: keeping the task table itself small, and ending the
access of team members whose time on a family's team is over.

The periodic jobs queue a task every minute or so (the cover sweep alone, 1,440 a day);
with the database backend each leaves a row behind once it has run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django_tasks import task, task_backends
from django_tasks_db import DatabaseBackend


@task()
def task_results_prune() -> None:
    """Delete the rows of tasks that finished (ran or failed) more than
    ``TASK_RESULTS_KEEP_DAYS`` ago, on every queue; those waiting or running stay. With the
    immediate backend nothing is stored, so there is nothing to do."""
    if not isinstance(task_backends["default"], DatabaseBackend):
        return
    call_command(
        "prune_db_task_results",
        min_age_days=settings.TASK_RESULTS_KEEP_DAYS,
        queue_name="*",
        verbosity=0,
    )


@task()
def team_endings_carry_through() -> None:
    """End, everywhere at once, the access of team members whose end date has passed."""
    from . import services

    services.team_endings_carry_through()
