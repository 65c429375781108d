"""The alert job in the APScheduler service (tracker.scheduler), referenced as ``module:function`` so the
persistent job store can restore it after a restart."""

import datetime as dt
import logging
from typing import Any

from apscheduler.triggers.cron import CronTrigger

from tracker import db
from tracker.alerts.settings import AlertConfigError, alert_settings, smtp_settings

log = logging.getLogger(__name__)

JOB_ID = "alerts:send"
JOB_FUNCTION = "tracker.alerts.jobs:run_alerts_job"


def run_alerts_job() -> dict[str, int]:
    """Collect events, fan them out, and send every digest that is due (instant now; daily and weekly at
    their configured hour); failed sends come back here on their backoff."""
    from tracker.alerts.delivery import run_alerts

    report = run_alerts(db.get_engine())
    level = logging.WARNING if report.failed or report.retrying else logging.INFO
    log.log(level, "alerts: %d new events, %d deliveries, %d digests, %d sent, %d retrying, %d failed",
            report.events, report.deliveries, report.digests, report.sent, report.retrying, report.failed)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


def trigger() -> CronTrigger:
    try:
        smtp_settings()  # every [smtp] and [alerts] setting is checked here, before the service starts
        schedule = alert_settings().schedule
    except AlertConfigError as exc:
        raise SystemExit(str(exc)) from None
    try:
        return CronTrigger.from_crontab(schedule, timezone=dt.UTC)
    except ValueError as exc:
        raise SystemExit(f"[alerts] schedule / TRACKER_ALERTS_SCHEDULE = {schedule!r} is not a crontab expression: "
                         f"{exc}") from None


def sync_alert_job(scheduler: Any) -> None:
    """Add (or update) the alert job, keeping its next run time when the cadence did not change."""
    wanted, job = trigger(), scheduler.get_job(JOB_ID)
    if job is None or str(job.trigger) != str(wanted) or job.func_ref != JOB_FUNCTION:
        scheduler.add_job(JOB_FUNCTION, trigger=wanted, id=JOB_ID, name="alerts: digests and instant alerts",
                          replace_existing=True)
