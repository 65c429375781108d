"""The alert job in the APScheduler service (tracker.scheduler), referenced as ``module:function`` so the
persistent job store can restore it after a restart."""

import logging

from apscheduler.triggers.cron import CronTrigger

from tracker import db
from tracker.alerts.settings import AlertConfigError, alert_settings, smtp_settings
from tracker.config import ConfigError

log = logging.getLogger(__name__)

JOB_ID = "alerts:send"
JOB_FUNCTION = "tracker.alerts.jobs:run_alerts_job"
JOB_NAME = "alerts: digests and instant alerts"


def run_alerts_job() -> dict[str, int]:
    """Collect events, fan them out, and send every digest that is due (instant now; daily and weekly at
    their configured hour); failed sends come back here on their backoff."""
    from tracker.alerts.delivery import run_alerts

    report = run_alerts(db.get_engine())
    level = logging.WARNING if report.failed or report.retrying or report.errors else logging.INFO
    log.log(level, "alerts: %d new events, %d deliveries, %d digests, %d sent, %d retrying, %d failed",
            report.events, report.deliveries, report.digests, report.sent, report.retrying, report.failed)
    for error in report.errors:  # "SMTP is not configured: N delivery(ies) wait...": the journal is where it shows
        log.warning("alerts: %s", error)
    return {"sent": report.sent, "retrying": report.retrying, "failed": report.failed}


def trigger() -> CronTrigger:
    from tracker.scheduler import cron

    try:
        smtp_settings()  # every [smtp] and [alerts] setting is checked here, before the service starts
        schedule = alert_settings().schedule
    except AlertConfigError as exc:
        raise ConfigError(str(exc)) from None
    return cron(schedule, "[alerts] schedule / TRACKER_ALERTS_SCHEDULE")
