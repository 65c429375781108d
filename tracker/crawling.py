"""Running spiders from the tracker: always as a subprocess (``python -m scrapy crawl NAME ...``).

Twisted's reactor cannot be restarted in one process, so ``tracker crawl``, ``tracker run`` and every scheduled
job start a fresh ``scrapy crawl`` process and read its outcome from the exit code and the CrawlRun it wrote.

Exit codes of ``scrapy crawl`` for our spiders (``scrapers.commands.crawl``), the same numbers ``tracker``
uses where they overlap (``tracker.cli``): 0 the run succeeded; 1 some bills failed (a partial run) or the crawl
was stopped before the end (an interrupted run); 2 bad arguments or configuration (an unknown bill type, no API
key); 3 the database is not migrated; 5 the run failed (nothing listed where bills were expected, every bill
failed); 6 the source could not be reached at all (no network?).

A parent that wants to find the CrawlRun its child wrote passes ``launch_id``: the child's item pipeline records
it in the run's ``args`` (environment variable ``TRACKER_LAUNCH_ID``).
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

EXIT_OK, EXIT_PARTIAL, EXIT_USAGE, EXIT_SCHEMA, EXIT_FAILED, EXIT_OFFLINE = 0, 1, 2, 3, 5, 6
LAUNCH_ID_ENV = "TRACKER_LAUNCH_ID"
TERM_GRACE_SECONDS = 60.0  # after a timeout's SIGTERM, how long a child may take to stop before it is killed
# A crawl given ``max_seconds`` keeps that deadline itself (scrapers.deadline: it stops, and records why, even
# when its parent was killed); the parent stops it only this long after the deadline and grace, if it is hung
# beyond answering even its own timer.
BACKSTOP_SECONDS = 60.0

PROJECT_ROOT = Path(__file__).resolve().parent.parent  # where scrapy.cfg lives
SPIDERS_DIR = PROJECT_ROOT / "scrapers" / "spiders"

_children: set[subprocess.Popen[bytes]] = set()
_children_lock = threading.Lock()


@dataclass(frozen=True)
class CrawlOutcome:
    source: str
    exit_code: int
    seconds: float
    stopped_by_parent: bool = False  # it outlived ``timeout`` and was stopped (or killed) from here

    @property
    def ok(self) -> bool:
        return self.exit_code == EXIT_OK


# The source name a spider records its runs under (CrawlRun.source), where it is not the spider's own name: the
# California spider keeps the name of the feed it shares with `tracker import` (docs/sources.md). The tests check
# this against each spider's ``source_name``.
_RUN_SOURCES = {"california": "ca_pubinfo"}


def run_source(spider: str) -> str:
    """The CrawlRun.source of the runs ``spider`` records."""
    return _RUN_SOURCES.get(spider, spider)


def spider_for(source: str) -> str:
    """The spider that records its runs under ``source`` (the inverse of ``run_source``)."""
    return next((spider for spider, name in _RUN_SOURCES.items() if name == source), source)


def spider_names() -> list[str]:
    """The spiders ``scrapy crawl`` can run, without importing Scrapy or any spider.

    Each spider lives in a module named after it (``scrapers/spiders/legiscan.py``: ``name = "legiscan"``);
    ``scrapers.spider_loader`` relies on the same rule to import only the spider a crawl runs, and the tests
    check it against Scrapy's own discovery. The parent of a crawl (``tracker crawl``, the scheduler) thus
    stays thin: the subprocess does the heavy imports once.
    """
    return sorted(p.stem for p in SPIDERS_DIR.glob("*.py") if p.stem.isidentifier() and not p.stem.startswith("_"))


def scrapy_command(source: str, *, congresses: Iterable[int | str] = (), types: Iterable[str] = (),
                   settings: Mapping[str, str] | None = None, log_level: str | None = None) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", source]
    congresses, types = list(congresses), list(types)
    if congresses:
        cmd += ["-a", "congress=" + ",".join(str(c) for c in congresses)]
    if types:
        cmd += ["-a", "types=" + ",".join(types)]
    if log_level:
        cmd += ["-s", f"LOG_LEVEL={log_level}"]
    for key, value in (settings or {}).items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


def run_crawl(source: str, *, congresses: Iterable[int | str] = (), types: Iterable[str] = (),
              settings: Mapping[str, str] | None = None, log_level: str | None = None,
              env: Mapping[str, str] | None = None, timeout: float | None = None, launch_id: str | None = None,
              max_seconds: float | None = None, while_running: Callable[[], object] | None = None) -> CrawlOutcome:
    """Run one spider to completion in its own process; SIGTERM to us is forwarded by ``terminate_all``.

    ``max_seconds``: the crawl's own deadline, which it keeps whatever becomes of us (``scrapers.deadline``);
    ``timeout`` (by default that deadline, its grace and ``BACKSTOP_SECONDS``) is when we stop it from here.
    ``while_running`` is called once the child has started, so the caller's own preparation (opening the
    database, for one) overlaps the child's start-up instead of delaying it.
    """
    if max_seconds:
        settings = {**(settings or {}), "TRACKER_MAX_RUN_SECONDS": f"{max_seconds:g}",
                    "TRACKER_STOP_GRACE_SECONDS": f"{TERM_GRACE_SECONDS:g}"}
        if timeout is None:
            timeout = max_seconds + TERM_GRACE_SECONDS + BACKSTOP_SECONDS
    cmd = scrapy_command(source, congresses=congresses, types=types, settings=settings, log_level=log_level)
    child_env = {**os.environ, **(env or {})}
    if launch_id:
        child_env[LAUNCH_ID_ENV] = launch_id
    child_env.setdefault("SCRAPY_SETTINGS_MODULE", "scrapers.settings")
    started = time.monotonic()
    code = _run_child(cmd, child_env, timeout=timeout, while_running=while_running)
    seconds = time.monotonic() - started
    return CrawlOutcome(source, code, seconds, stopped_by_parent=timeout is not None and seconds >= timeout)


EMBED_COMMAND = ("topics", "embed", "--quiet", "--if-enabled")


def run_embed_catch_up(*, timeout: float | None = None) -> int:
    """``tracker topics embed`` in its own process, after a scheduled crawl: crawl batches are too big to embed
    inline, so their bills get semantic and learned scores here (nothing happens with semantic relevance off)."""
    return run_tracker_command(EMBED_COMMAND, timeout=timeout)


def run_tracker_command(args: Sequence[str], *, timeout: float | None = None) -> int:
    """``tracker ARGS`` in its own process, for the scheduler: a process of its own keeps the model out of the
    scheduler, and SIGTERM reaches it as it reaches crawls."""
    return _run_child([sys.executable, "-m", "tracker", *args], dict(os.environ), timeout=timeout)


def _run_child(cmd: list[str], child_env: dict[str, str], *, timeout: float | None = None,
               while_running: Callable[[], object] | None = None) -> int:
    # Our own directory first, so the project's packages win even when run from elsewhere.
    child_env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PROJECT_ROOT), child_env.get("PYTHONPATH")) if p)
    # A new session: a terminal's Ctrl-C reaches us once, and we forward exactly one signal (Scrapy stops
    # gracefully on the first and hard on the second).
    child = subprocess.Popen(cmd, cwd=PROJECT_ROOT, env=child_env, start_new_session=True)
    with _children_lock:
        _children.add(child)
    try:
        try:
            if while_running is not None:
                while_running()
            code = child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGTERM)
            try:
                code = child.wait(timeout=TERM_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                child.kill()
                code = child.wait()
        except BaseException:  # Ctrl-C, or the caller's preparation failed: the crawl must not outlive us
            child.send_signal(signal.SIGTERM)
            code = child.wait()
            raise
    finally:
        with _children_lock:
            _children.discard(child)
    return code


def terminate_all(sig: int = signal.SIGTERM) -> int:
    """Ask every running crawl to stop gracefully; returns how many were asked."""
    with _children_lock:
        children = [c for c in _children if c.poll() is None]
    for child in children:
        try:
            child.send_signal(sig)
        except ProcessLookupError:
            pass
    return len(children)


def wait_all(timeout: float) -> bool:
    """Wait for running crawls to end; kill what is left after ``timeout``. True if all ended by themselves."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _children_lock:
            if not any(c.poll() is None for c in _children):
                return True
        time.sleep(0.1)
    with _children_lock:
        for child in _children:
            if child.poll() is None:
                child.kill()
    return False


def unreachable(url: str, timeout: float = 5.0) -> str | None:
    """Why ``url``'s host cannot be reached (DNS, refused, timeout), or None if a TCP connection opens."""
    parts = urlsplit(url)
    host = parts.hostname
    if not host:
        return f"{url}: not a URL"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except socket.gaierror as exc:
        return f"cannot resolve {host} ({exc.strerror or exc})"
    except TimeoutError:
        return f"no answer from {host}:{port} within {timeout:g} s"
    except OSError as exc:
        return f"cannot connect to {host}:{port} ({exc.strerror or exc})"
