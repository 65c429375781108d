"""A real dashboard server and headless Debian Chromium, for the end-to-end test and the screenshot script."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tracker.cli import dashboard_command

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


def why_no_browser() -> str | None:
    """None when the end-to-end test can run; otherwise the reason it cannot."""
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium chromium-driver)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def dashboard_server(database_url: str, *, timeout: float = 60, script: Path | None = None) -> Iterator[str]:
    """``streamlit run dashboard/server.py`` (or ``script``, with the dashboard's options) on a free local port
    against ``database_url``; yields its URL."""
    port = free_port()
    env = dict(os.environ, DATABASE_URL=database_url, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    cmd = [*dashboard_command(port=port, address="127.0.0.1"), "--server.headless", "true",
           "--server.fileWatcherType", "none"]
    if script is not None:
        cmd[cmd.index("run") + 1] = str(script)
    log = tempfile.TemporaryFile()  # a file, not a pipe: a chatty server can never block on a full pipe
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                output = log.read().decode(errors="replace")
                raise RuntimeError(f"dashboard server did not start on {url}:\n{output[-3000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@contextmanager
def chromium() -> Iterator[object]:
    """Headless Debian Chromium under Playwright, for as many pages as the caller opens."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium_page(width: int = 1400, height: int = 1000, *, browser: object = None) -> Iterator[object]:
    """A page in a context of its own (its own cookies; a test can open a second tab sharing them with
    ``page.context.new_page()``), in ``browser`` or in a Chromium started for it."""
    if browser is None:
        with chromium() as started, chromium_page(width, height, browser=started) as page:
            yield page
        return
    context = browser.new_context(viewport={"width": width, "height": height})  # type: ignore[attr-defined]
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
    finally:
        context.close()


def sign_in(page, url: str | None, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the form (``url``: open it first; None: the form is already showing). The form posts to
    the server's sign-in route, which answers with the session cookie and the same page."""
    if url:
        page.goto(url)
    page.get_by_role("textbox", name="Email").fill(email)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Signed in as").wait_for()
