"""How long the errors of crawl and import runs are kept.

A document broken upstream fails, and is recorded, at every run that fetches it: run errors grew with broken
documents times runs (a source with a thousand broken documents crawled every 4 hours: some 2 million rows a
year), for ever. The errors of runs older than ``[crawl] keep_errors_days`` are deleted at the end of each crawl
and `tracker import` (and by `tracker db prune-errors`); the run itself stays, with its counts (``failed`` says
how many documents failed), and so do the errors of each source's latest run, however old, which are what the
Sources page and `tracker runs --errors` show first.
"""

import datetime as dt
import logging

from sqlalchemy import delete, func, select
from sqlmodel import Session

from tracker.models import CrawlError, CrawlRun
from tracker.models.base import utcnow

log = logging.getLogger(__name__)

def prune_errors(session: Session, *, keep_days: float, now: dt.datetime | None = None) -> int:
    """Delete the errors of finished runs started more than ``keep_days`` ago, except each source's latest run;
    commits, returns how many were deleted."""
    cutoff = (now or utcnow()) - dt.timedelta(days=keep_days)
    latest = select(func.max(CrawlRun.id)).group_by(CrawlRun.source)
    old_runs = select(CrawlRun.id).where(CrawlRun.started_at < cutoff, CrawlRun.finished_at.is_not(None),
                                         CrawlRun.id.not_in(latest))
    deleted = session.execute(delete(CrawlError).where(CrawlError.run_id.in_(old_runs))).rowcount
    session.commit()
    return deleted or 0


def prune_quietly(session: Session, *, keep_days: float) -> None:
    """``prune_errors`` at the end of a run: a failure to prune (a busy database) never costs the run."""
    try:
        if deleted := prune_errors(session, keep_days=keep_days):
            log.info("%d run errors older than %g days deleted", deleted, keep_days)
    except Exception as exc:  # noqa: BLE001  (the next run prunes them)
        session.rollback()
        log.warning("old run errors not pruned: %s", exc)
