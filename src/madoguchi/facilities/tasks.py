"""Tasks of facilities, run by the task worker (django-tasks).

`run_lotteries_task` advances every lottery round whose next step is due (open the
entries, publish the seed at entry close, draw, e-mail the results, release the wins not
confirmed by the deadline): `services.lotteries.run_due`. Every step is idempotent, so
enqueue it often — every few minutes, e.g. from cron::

    manage.py shell -c "from madoguchi.facilities.tasks import enqueue_lotteries; enqueue_lotteries()"

or run ``manage.py facilities_lotteries`` directly; both are safe to repeat.
"""

from __future__ import annotations

import logging

from django_tasks import task

from .services import lotteries

logger = logging.getLogger(__name__)


@task()
def run_lotteries_task() -> dict[str, list[str]]:
    """One pass over every municipality's rounds; returns the steps done per round."""
    done = lotteries.run_due()
    if done:
        logger.info("facilities lotteries: %s", done)
    return {str(pk): steps for pk, steps in done.items()}


def enqueue_lotteries() -> bool:
    """Put a pass on the queue; False (logged) when it could not be enqueued."""
    try:
        run_lotteries_task.enqueue()
    except Exception:
        logger.exception("facilities lotteries: could not enqueue the task")
        return False
    return True
