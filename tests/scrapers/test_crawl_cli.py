"""``tracker crawl``, ``tracker runs`` and the main command's crawl step, through the real CLI."""

import json
from pathlib import Path

import pytest
from crawl_helpers import run_spider
from feedserver import FeedServer, GovinfoMirror
from sqlmodel import Session
from typer.testing import CliRunner

from tracker import config, crawl_cli, db
from tracker.cli import app
from tracker.crawling import EXIT_OFFLINE, EXIT_OK, EXIT_SCHEMA, EXIT_USAGE, run_source, spider_names
from tracker.models import CrawlRun
from tracker.run_owner import owner_token
from tracker.scheduler import running_run


@pytest.fixture
def cli_env(crawl_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    for key, value in crawl_env.items():
        monkeypatch.setenv(key, value)
    config.settings.cache_clear()
    db.dispose_engines()
    return crawl_env


@pytest.mark.realdata
@pytest.mark.slow
def test_tracker_crawl_then_runs(cli_env: dict[str, str], feed: FeedServer, govinfo: GovinfoMirror) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["crawl", "govinfo_billstatus", "--congress", "117", "--types", "hr,s",
                                 "--set", "CONCURRENT_REQUESTS=4"])
    assert result.exit_code == EXIT_OK, result.output
    said = " ".join(result.output.split())  # rich wraps long lines
    assert "Crawling govinfo_billstatus (Congress 117, hr,s)" in said
    assert "govinfo_billstatus: succeeded (run 1)" in said

    result = runner.invoke(app, ["runs", "--json"])
    [run] = json.loads(result.output)
    assert (run["source"], run["status"], run["new"], run["failed"]) == ("govinfo_billstatus", "succeeded", 18, 0)
    assert run["duration_seconds"] > 0 and run["args"]["stats"]["requests"] >= 21
    table = runner.invoke(app, ["runs"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "govinfo_billstatus" in table.output and "succeeded" in table.output


def test_the_crawl_line_names_a_state_feeds_scope_not_a_congress() -> None:
    doc = {"crawl": {"states": ["CA", "NY"]}, "sources": {"openstates": {"session": "20252026"},
                                                          "legiscan": {"states": ["tx"]}}}
    crawl = config.crawl_settings(env={}, doc=doc)
    assert config.source_scope("openstates", crawl, None, None) == "states CA, NY, session 20252026"
    assert config.source_scope("legiscan", crawl, None, None) == "states TX"  # its own table wins, as in the spider
    assert config.source_scope("legistar", crawl, None, None) == "clients lacounty"
    assert config.source_scope("openstates", config.crawl_settings(env={}, doc={}), None, None) == "states none set"
    assert config.source_scope("california", crawl, None, None) == "California pubinfo"
    assert config.source_scope("govinfo_billstatus", crawl, "118", "hr,s") == "Congress 118, hr,s"


def test_unknown_spider_is_a_usage_error(cli_env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["crawl", "nowhere"])
    assert result.exit_code == EXIT_USAGE
    said = " ".join(result.output.split())
    assert "Unknown spider nowhere; available:" in said and "congress_api" in said and "govinfo_billstatus" in said


@pytest.mark.parametrize(("spider", "args", "takes"), [
    ("govinfo_billstatus", ["-a", "congres=118"], "-a congress, types"),  # a typo crawled the current Congress
    ("legistar", ["-a", "client=lacounty"], "clients"),
    ("california", ["-a", "archve=pubinfo_Mon.zip"], "-a archive"),
])
def test_an_argument_no_spider_reads_is_refused_not_ignored(
    state_env: dict[str, str], feed: FeedServer, spider: str, args: list[str], takes: str,
) -> None:
    done = run_spider(state_env, spider, *args)
    assert done.returncode == EXIT_USAGE, done.stderr[-2000:]
    name = args[1].partition("=")[0]
    assert f"-a {name}: {spider} takes no such argument" in done.stderr and takes in done.stderr, done.stderr[-2000:]
    assert not feed.requests(""), "nothing is fetched for a crawl whose arguments are wrong"


def test_a_crawl_with_nothing_to_crawl_says_so(cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in TRACKER_SOURCES enabled no source, and `tracker crawl` printed nothing and exited 0."""
    monkeypatch.setenv("TRACKER_SOURCES", "govinfo")
    config.settings.cache_clear()
    result = CliRunner().invoke(app, ["crawl"])
    assert result.exit_code == EXIT_USAGE, result.output
    assert result.stderr.startswith("TRACKER_SOURCES: unknown source govinfo; known: california, congress_api")
    Path(cli_env["TRACKER_CONFIG"]).write_text("[sources.govinfo_billstatus]\nenabled = false\n")
    monkeypatch.delenv("TRACKER_SOURCES")
    config.settings.cache_clear()
    result = CliRunner().invoke(app, ["crawl"])
    assert result.exit_code == EXIT_USAGE and "No source is enabled" in result.stderr, result.output
    config.settings.cache_clear()


def test_a_crawls_outcome_is_one_line_with_the_url_whole(cli_env: dict[str, str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVINFO_BASE_URL", "http://127.0.0.1:9/")  # nothing listens on the discard port
    result = CliRunner().invoke(app, ["crawl", "govinfo_billstatus", "--congress", "117", "--types", "hr"])
    assert result.exit_code == EXIT_OFFLINE, result.output
    [line] = [line for line in result.stdout.splitlines() if line.startswith("govinfo_billstatus: failed")]
    assert "cannot reach http://127.0.0.1:9/: connection refused" in line and line.endswith("requests)"), line


def test_each_spider_records_its_runs_under_the_source_name_tracker_crawling_gives() -> None:
    import importlib

    for name in spider_names():
        module = vars(importlib.import_module(f"scrapers.spiders.{name}"))
        [cls] = [c for c in module.values() if isinstance(c, type) and c.__dict__.get("name") == name]
        assert run_source(name) == (cls.source_name or cls.name), name


def test_the_california_crawl_is_reported_and_listed_by_its_spider_name(
    state_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, session: Session,
) -> None:
    """Its runs are recorded as ca_pubinfo: `tracker crawl california` printed no outcome, `tracker runs --source
    california` said "No runs", and the scheduler could not find its run in progress or close a killed one."""
    for key, value in state_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PUBINFO_BASE_URL", "http://127.0.0.1:9/")  # nothing listens on the discard port
    config.settings.cache_clear()
    db.dispose_engines()
    result = CliRunner().invoke(app, ["crawl", "california"])
    assert result.exit_code == EXIT_OFFLINE, result.output
    assert any(line.startswith("ca_pubinfo: failed (run ") for line in result.stdout.splitlines()), result.stdout
    listed = CliRunner().invoke(app, ["runs", "--source", "california", "--json"])
    assert [run["source"] for run in json.loads(listed.stdout)] == ["ca_pubinfo"]
    session.add(CrawlRun(source="ca_pubinfo", status="running", owner=owner_token()))
    session.commit()
    assert running_run(db.get_engine(), "california") is not None


def test_main_command_without_network_says_so_and_opens_the_dashboard(
    cli_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOVINFO_BASE_URL", "http://127.0.0.1:9/")  # nothing listens on the discard port
    opened: list[tuple[int, str]] = []
    monkeypatch.setattr("tracker.cli.serve", lambda port, address: opened.append((port, address)))
    result = CliRunner().invoke(app, ["run", "--port", "8765"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())  # rich wraps long lines
    assert "No network access: cannot reach 127.0.0.1" in said
    assert "the dashboard opens on the 0 bills already stored" in said
    assert opened == [(8765, "127.0.0.1")]
    assert crawl_cli.crawl_defaults(db.get_engine()) == EXIT_OFFLINE


def test_main_command_on_a_busy_port_says_so_before_crawling(
    cli_env: dict[str, str], feed: FeedServer, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `make run` a second time, the first dashboard still open: it crawled, printed "Dashboard on
    # http://127.0.0.1:8501/ (Ctrl-C stops it)", then Streamlit said "Port 8501 is not available" and exited.
    import socket

    monkeypatch.setenv("GOVINFO_BASE_URL", feed.url)
    started: list[list[str]] = []  # Streamlit would replace this process (os.execv): record it instead
    monkeypatch.setattr("os.execv", lambda path, argv: started.append(argv))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["run", "--port", str(port)], ["serve", "--port", str(port)]):
            result = CliRunner().invoke(app, args)
            said = " ".join(result.output.split())
            assert result.exit_code == 1, result.output
            assert f"Port {port} on 127.0.0.1 is in use" in said and "--port" in said
            assert "Dashboard on" not in said
    assert started == [] and feed.requests() == []  # refused before crawling


def test_tracker_crawl_on_an_unmigrated_database_says_how_to_fix_it(
    cli_env: dict[str, str], feed: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `tracker crawl` starts the crawl before it opens the database; the crawl refuses the schema itself.
    (tmp_path / "empty.db").touch()  # a database with no tables; a missing file is refused the same way
    for name, says in (("empty.db", "has no schema. Run `tracker db upgrade` first."),
                       ("missing.db", "Run `tracker db upgrade` first.")):
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/{name}")
        config.settings.cache_clear()
        db.dispose_engines()
        result = CliRunner().invoke(app, ["crawl", "govinfo_billstatus", "--congress", "117", "--types", "hr"])
        assert result.exit_code == EXIT_SCHEMA, result.output
        assert says in " ".join(result.output.split())
    assert not (tmp_path / "missing.db").exists()
    assert feed.requests() == []  # nothing was fetched
