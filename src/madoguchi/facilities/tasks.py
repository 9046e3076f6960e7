"""Tasks of facilities, run by the task worker (django-tasks).

`run_lotteries_task` advances every lottery round whose next step is due (open the
entries, publish the seed at entry close, draw, e-mail the results, release the wins not
confirmed by the deadline): `services.lotteries.run_due`. Every step is idempotent, so
enqueue it often — every few minutes, e.g. from cron::

    manage.py shell -c "from madoguchi.facilities.tasks import enqueue_lotteries; enqueue_lotteries()"

or run ``manage.py facilities_lotteries`` directly; both are safe to repeat.

`expire_registrations_task` writes 期限切れ on registrations past their validity
(`services.registrations.expire_all_due`; the pages refuse them already, this makes the
stored status and the staff's lists agree). Enqueue it daily::

    manage.py shell -c "from madoguchi.facilities import tasks; tasks.enqueue_registration_expiry()"

or run ``manage.py facilities_expire_registrations``; repeating it does nothing more.
"""

from __future__ import annotations

import logging

from django_tasks import task

from .services import lotteries, registrations

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


@task()
def expire_registrations_task() -> dict[str, int]:
    """One pass: registrations past `valid_until` become 期限切れ; the count per municipality."""
    done = registrations.expire_all_due()
    if done:
        logger.info("facilities registrations expired: %s", done)
    return done


def enqueue_registration_expiry() -> bool:
    """Put the daily pass on the queue; False (logged) when it could not be enqueued."""
    try:
        expire_registrations_task.enqueue()
    except Exception:
        logger.exception("facilities registrations: could not enqueue the expiry task")
        return False
    return True
