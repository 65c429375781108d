"""The learning job in the APScheduler service (tracker.scheduler), referenced as ``module:function`` so the
persistent job store can restore it after a restart.

Once a night it runs ``tracker topics learn --if-changed`` in its own process (the model stays out of the
scheduler, and SIGTERM reaches it as it reaches crawls): when the day's triage judgements moved, the models are
retrained and every stored bill is re-scored, so the morning's flags already follow yesterday's judgements.
"""

import logging
import os

from apscheduler.triggers.cron import CronTrigger

from tracker.config import settings

log = logging.getLogger(__name__)

JOB_ID = "matching:learn"
JOB_FUNCTION = "tracker.matching.jobs:run_learn_job"
JOB_NAME = "learning from triage: retrain, re-score"
LEARN_COMMAND = ("topics", "learn", "--if-changed")
# 08:30 UTC: the small hours in every US time zone, after the nightly state crawls of the example configuration.
DEFAULT_SCHEDULE = "30 8 * * *"


def learn_schedule(env: dict[str, str] | None = None) -> str:
    """``TRACKER_LEARN_SCHEDULE``, else ``[matching] learn_schedule``, else the default (crontab, UTC)."""
    env = dict(os.environ if env is None else env)
    value = env.get("TRACKER_LEARN_SCHEDULE") or settings().section("matching").get("learn_schedule")
    return str(value or DEFAULT_SCHEDULE)


def trigger() -> CronTrigger:
    from tracker.scheduler import cron

    return cron(learn_schedule(), "[matching] learn_schedule / TRACKER_LEARN_SCHEDULE")


def run_learn_job() -> int:
    """The scheduled job: retrain and re-score when the judgements moved; returns the exit code."""
    from tracker import crawling

    code = crawling.run_tracker_command(LEARN_COMMAND)
    level = logging.INFO if code == 0 else logging.WARNING
    log.log(level, "learning from triage ended with exit code %d", code)
    return code
