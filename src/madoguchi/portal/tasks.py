"""Tasks of the website, run by the task worker (django-tasks).

`publish_scheduled_task` publishes the pages (and other revisions) whose approved go-live
time has come and unpublishes those whose expiry time has passed — Wagtail's own
``manage.py publish_scheduled``. A page that an approver approved with a go-live time in
the future stays a draft until then; run the step every minute or few, e.g. from cron::

    manage.py publish_scheduled
    # or through the task queue:
    manage.py shell -c "from madoguchi.portal.tasks import enqueue_publish_scheduled; enqueue_publish_scheduled()"

Both are safe to repeat: a revision that is already published is not published again.
"""

from __future__ import annotations

import io
import logging

from django.core.management import call_command
from django_tasks import task

logger = logging.getLogger(__name__)


def publish_scheduled() -> str:
    """One pass of Wagtail's scheduled publishing; returns what it reported."""
    out = io.StringIO()
    call_command("publish_scheduled", stdout=out)
    report = out.getvalue()
    if report.strip():
        logger.info("portal scheduled publishing: %s", report.strip())
    return report


@task()
def publish_scheduled_task() -> str:
    return publish_scheduled()


def enqueue_publish_scheduled() -> bool:
    """Put a pass on the queue; False (logged) when it could not be enqueued."""
    try:
        publish_scheduled_task.enqueue()
    except Exception:
        logger.exception("portal scheduled publishing: could not enqueue the task")
        return False
    return True
