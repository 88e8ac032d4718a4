"""Two people saving the same goal at the same moment, on PostgreSQL."""

import threading

import pytest
from django.db import connection

from plans import services
from plans.models import Goal

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_simultaneous_saves_of_one_goal_never_overwrite_each_other(plan, parent, dad):
    goal = services.goal_create(plan=plan, actor=parent, title="Kids to school")
    barrier = threading.Barrier(2)
    outcomes = {}

    def save(person, words):
        try:
            barrier.wait()
            services.goal_update(goal=goal, actor=person, expected_version=1, title=words)
            outcomes[words] = "saved"
        except services.EditConflict as exc:
            outcomes[words] = ("conflict", exc.current.title)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(parent, "Walk with the other parents")),
        threading.Thread(target=save, args=(dad, "Drive them on rainy days")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    saved = [words for words, outcome in outcomes.items() if outcome == "saved"]
    assert len(saved) == 1
    [(loser, outcome)] = [(w, o) for w, o in outcomes.items() if o != "saved"]
    # The loser is shown exactly what the winner saved, and their own words are kept by the page.
    assert outcome == ("conflict", saved[0])
    goal = Goal.objects.get(pk=goal.pk)
    assert goal.title == saved[0] and goal.version == 2
