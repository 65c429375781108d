"""``python -m scrapy crawl ...`` for the spider tests, started by forking a process that has already imported
Scrapy, Twisted, SQLAlchemy and lxml, instead of a new interpreter importing them again for every crawl.

A crawl's process spent about 2.3 of its 3 seconds of CPU importing (on the 2-core CI machine), and the suite
runs about two hundred crawls on each database. The child of the fork is what a new interpreter would be at the
point where ``scrapy.cmdline.execute()`` starts: the test's environment, working directory and arguments, no
Twisted reactor installed, and none of the project's own modules imported (they may read the environment when
imported, so each crawl imports them itself, as a scheduled crawl does). Only third-party modules are shared.

Run as a script, this module is the fork server: one per test process, reading one JSON request a line on
stdin and answering each on stdout when its crawl has ended. ``TRACKER_TEST_FRESH_SPIDERS=1`` starts every
crawl as a new interpreter instead.
"""

from __future__ import annotations

import atexit
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

# Imported by the server before it forks: what every crawl imports and no crawl configures at import time.
PRELOAD = ("scrapy", "scrapy.cmdline", "scrapy.crawler", "scrapy.http", "scrapy.spiders", "scrapy.settings",
           "scrapy.core.engine", "scrapy.core.downloader", "scrapy.core.scraper", "scrapy.utils.reactor",
           "scrapy.downloadermiddlewares.retry", "scrapy.extensions.throttle", "twisted.internet.defer",
           "sqlalchemy", "sqlalchemy.orm", "sqlalchemy.dialects.sqlite", "sqlalchemy.dialects.postgresql",
           "sqlmodel", "psycopg", "lxml.etree", "bs4", "yaml", "pydantic", "numpy")


def _serve() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    # A reactor installed here would be the children's, whatever their settings ask for.
    assert "twisted.internet.reactor" not in sys.modules, "a preloaded module installed a Twisted reactor"
    project = [name for name in sys.modules if name.split(".")[0] in ("tracker", "scrapers")]
    assert not project, f"the fork server must not import the project's modules: {project}"
    reply = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        reply.write(json.dumps(_crawl(request)) + "\n")
        reply.flush()


def _crawl(request: dict[str, Any]) -> dict[str, Any]:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            _child(request, out.fileno(), err.fileno())  # never returns
        deadline = time.monotonic() + request["timeout"]
        timed_out = False
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:  # as subprocess.run's timeout: killed, then reported
                os.kill(pid, signal.SIGKILL)
                _, status = os.waitpid(pid, 0)
                timed_out = True
                break
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        return {"returncode": os.waitstatus_to_exitcode(status), "timed_out": timed_out,
                "stdout": out.read().decode(errors="replace"), "stderr": err.read().decode(errors="replace")}


def _child(request: dict[str, Any], out: int, err: int) -> None:
    code = 1
    try:
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)  # the requests' pipe is the server's alone
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        # The path `python -m scrapy` would have: the working directory, then PYTHONPATH, then the rest.
        extra = [p for p in request["env"].get("PYTHONPATH", "").split(os.pathsep) if p]
        sys.path[:] = [request["cwd"], *extra, *[p for p in sys.path[1:] if p not in extra]]
        sys.argv = [request["argv0"], *request["args"]]
        from scrapy.cmdline import execute

        try:
            execute()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


_SCRAPY_MAIN = str(Path(importlib.util.find_spec("scrapy").origin).with_name("__main__.py"))  # type: ignore[arg-type]


class _ForkServer:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None

    def run(self, args: list[str], *, env: dict[str, str], cwd: Path, timeout: float) -> dict[str, Any]:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._proc = subprocess.Popen([sys.executable, __file__], cwd=cwd, stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, text=True,
                                              env={**os.environ, "PYTHONPATH": str(cwd)})
                atexit.register(self._proc.stdin.close)  # type: ignore[union-attr]
            request = {"args": args, "env": env, "cwd": str(cwd), "timeout": timeout, "argv0": _SCRAPY_MAIN}
            self._proc.stdin.write(json.dumps(request) + "\n")  # type: ignore[union-attr]
            self._proc.stdin.flush()  # type: ignore[union-attr]
            line = self._proc.stdout.readline()  # type: ignore[union-attr]
            if not line:
                raise RuntimeError(f"the spider fork server ended (exit code {self._proc.wait()})")
            return json.loads(line)


_server = _ForkServer()


def run_scrapy(args: list[str], *, env: dict[str, str], cwd: Path,
               timeout: float) -> subprocess.CompletedProcess[str]:
    """``python -m scrapy ARGS`` in ``cwd`` with exactly ``env``, as subprocess.run(capture_output=True, text=True,
    timeout=...) would run it."""
    cmd = [sys.executable, "-m", "scrapy", *args]
    if os.environ.get("TRACKER_TEST_FRESH_SPIDERS"):
        return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    done = _server.run(args, env=env, cwd=cwd, timeout=timeout)
    if done["timed_out"]:
        raise subprocess.TimeoutExpired(cmd, timeout, output=done["stdout"], stderr=done["stderr"])
    return subprocess.CompletedProcess(cmd, done["returncode"], done["stdout"], done["stderr"])


if __name__ == "__main__":
    _serve()
