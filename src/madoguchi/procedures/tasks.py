"""Tasks of procedures, run by the task worker (django-tasks).

`apply_retention_task` deletes or anonymises what is past its retention period
(`services.retention`). Enqueue it once a day (docs/modules/procedures-fees-lifeevents-
retention.md), e.g. from cron::

    manage.py shell -c "from madoguchi.procedures.tasks import enqueue_retention; enqueue_retention()"

or run ``manage.py procedures_retention`` directly; both are safe to repeat.
"""

from __future__ import annotations

import logging

from django_tasks import task

from .services import retention

logger = logging.getLogger(__name__)


@task()
def apply_retention_task() -> dict[str, int]:
    """One retention run over every municipality; returns the totals (the task's result)."""
    result = retention.apply_retention()
    totals = {
        "deleted": result.deleted,
        "anonymised": result.anonymised,
        "drafts_deleted": result.drafts_deleted,
        "cases_deleted": result.cases_deleted,
        "files_deleted": result.files_deleted,
    }
    logger.info("procedures retention: %s", totals)
    return totals


def enqueue_retention() -> bool:
    """Put a retention run on the queue; False (logged) when it could not be enqueued."""
    try:
        apply_retention_task.enqueue()
    except Exception:
        logger.exception("procedures retention: could not enqueue the task")
        return False
    return True
