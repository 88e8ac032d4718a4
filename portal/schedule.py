"""The core's own periodic jobs (``portal.registry.register_periodic_job``)."""

from .registry import PeriodicJob, register_periodic_job


def _task_results_prune() -> None:
    from .tasks import task_results_prune

    task_results_prune.enqueue()


# Hourly: about 60 rows of the cover sweep's to delete each time, never a day's at once.
register_periodic_job(
    PeriodicJob(
        key="prune_task_results",
        every_seconds=60 * 60,
        run=_task_results_prune,
        command="prune_task_results",
    )
)


def _team_endings() -> None:
    from .tasks import team_endings_carry_through

    team_endings_carry_through.enqueue()


# Every page refuses someone the moment their end date passes (the access policy reads the
# date); this closes their open sockets and withdraws their notifications soon after.
register_periodic_job(
    PeriodicJob(
        key="team_endings",
        every_seconds=15 * 60,
        run=_team_endings,
        command="team_endings",
    )
)
