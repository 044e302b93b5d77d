"""Round openings on the job queue: checked every ten minutes, each round sent
by its own job (retried on failure). Safe to run twice: see rounds.py."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from ourlondon.funding.models import Round
from ourlondon.funding.rounds import announce_round, rounds_to_announce


@db_task(retries=5, retry_delay=60)
def send_round_opening(round_id: int) -> int:
    return announce_round(Round.objects.get(pk=round_id))


@db_periodic_task(crontab(minute="*/10"))
@lock_task("funding-open-rounds")
def open_rounds() -> int:
    """Start a send for every round that opened and is not fully announced."""
    ids = list(rounds_to_announce().values_list("pk", flat=True))
    for pk in ids:
        send_round_opening(pk)
    return len(ids)
