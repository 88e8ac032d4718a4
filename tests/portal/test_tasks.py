"""The task table stays small: rows of tasks that finished more than
``TASK_RESULTS_KEEP_DAYS`` ago are pruned every hour; waiting and running ones stay."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from chat.tasks import cover_sweep
from portal.registry import periodic_jobs
from portal.tasks import task_results_prune


@pytest.fixture
def database_tasks(settings, db):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_RESULTS_KEEP_DAYS = 7


def _sweep(status, days_ago, *, finished=True):
    """A cover sweep queued ``days_ago`` days ago, and left in ``status``."""
    result = cover_sweep.enqueue()
    then = timezone.now() - dt.timedelta(days=days_ago)
    DBTaskResult.objects.filter(pk=result.id).update(
        status=status,
        enqueued_at=then,
        run_after=then,
        started_at=then if status != TaskResultStatus.READY else None,
        finished_at=then if finished else None,
    )
    return result.id


def test_finished_task_results_older_than_the_setting_are_pruned(database_tasks):
    old_done = _sweep(TaskResultStatus.SUCCESSFUL, 8)
    old_failed = _sweep(TaskResultStatus.FAILED, 8)
    recent_done = _sweep(TaskResultStatus.SUCCESSFUL, 6)
    recent_failed = _sweep(TaskResultStatus.FAILED, 1)
    old_waiting = _sweep(TaskResultStatus.READY, 30, finished=False)
    old_running = _sweep(TaskResultStatus.RUNNING, 30, finished=False)

    task_results_prune.call()

    kept = {str(pk) for pk in DBTaskResult.objects.values_list("pk", flat=True)}
    assert kept == {recent_done, recent_failed, old_waiting, old_running}
    assert not kept & {old_done, old_failed}


def test_the_keep_setting_decides_what_is_old(database_tasks, settings):
    settings.TASK_RESULTS_KEEP_DAYS = 30
    done = _sweep(TaskResultStatus.SUCCESSFUL, 8)
    task_results_prune.call()
    assert DBTaskResult.objects.filter(pk=done).exists()
    settings.TASK_RESULTS_KEEP_DAYS = 5
    task_results_prune.call()
    assert not DBTaskResult.objects.filter(pk=done).exists()


def test_the_hourly_job_and_its_cron_command_queue_the_pruning(database_tasks, capsys):
    [job] = [job for job in periodic_jobs() if job.key == "prune_task_results"]
    assert job.every_seconds == 60 * 60
    job.run()
    call_command(job.command)
    assert "Queued pruning of task results" in capsys.readouterr().out
    queued = DBTaskResult.objects.filter(task_path="portal.tasks.task_results_prune")
    assert queued.ready().count() == 2


def test_with_the_immediate_backend_there_is_nothing_to_prune(db):
    assert task_results_prune.enqueue().status == TaskResultStatus.SUCCESSFUL
