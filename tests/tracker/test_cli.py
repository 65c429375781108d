"""The ``tracker`` command line, run in-process (CliRunner) and once as ``python -m tracker``."""

import contextlib
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from database_env import using_database
from realdata_paths import REPO_ROOT, require_realdata
from typer.testing import CliRunner

from tests.sqlite_busy import writer_held
from tracker import config, db
from tracker.cli import EXIT_NOT_FOUND, EXIT_PARTIAL, EXIT_SCHEMA, EXIT_USAGE, app

if TYPE_CHECKING:
    from sqlalchemy import Engine

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), catch_exceptions=False)


@pytest.fixture
def imported(database_url: str) -> str:
    folder = require_realdata("billstatus", "usgpo_samples", "formatChange", "future")
    result = invoke("import", "--quiet", str(folder))
    assert result.exit_code == 0, result.output
    return database_url


def test_an_import_into_a_database_without_topics_says_nothing_was_flagged(database_url: str) -> None:
    result = invoke("import", "--quiet", str(require_realdata("billstatus", "usgpo_samples", "formatChange")))
    said = " ".join(result.stdout.split())  # as the terminal wraps it
    assert result.exit_code == 0 and "Nothing flagged: no topic is enabled (`tracker topics load`" in said
    assert "embedding" not in said
    loaded = invoke("topics", "load")
    assert loaded.exit_code == 0 and "flagged" in loaded.stdout


def test_help_everywhere() -> None:
    for args in ([], ["db"], ["bills"], ["import"], ["bills", "list"], ["bills", "show"], ["serve"]):
        result = invoke(*args, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_python_dash_m_tracker_works() -> None:
    done = subprocess.run([sys.executable, "-m", "tracker", "--help"], capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "import" in done.stdout


def test_an_unmigrated_database_is_refused_with_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/empty.db")
    config.settings.cache_clear()
    db.dispose_engines()
    try:
        result = invoke("bills", "list")
        assert result.exit_code == EXIT_SCHEMA
        assert "tracker db upgrade" in result.output
        assert invoke("db", "upgrade").exit_code == 0
        assert invoke("bills", "list").exit_code == 0
    finally:
        db.dispose_engines()
        config.settings.cache_clear()


def test_a_database_of_newer_code_is_refused_with_the_right_advice(database_url: str) -> None:
    from sqlalchemy import text

    engine = db.make_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    try:
        for args in (["bills", "list"], ["db", "upgrade"], ["db", "current"], ["import", "--quiet", "nothing"],
                     ["run", "--no-crawl"]):
            result = invoke(*args)  # an exception (a traceback) would fail the test
            said = " ".join(result.stderr.split())  # as the terminal wraps it
            assert result.exit_code == EXIT_SCHEMA, (args, result.output)
            assert "is at migration 9999, which this code does not have: a newer version of the tracker" in said
            assert "Upgrade the tracker" in said and "Run `tracker db upgrade` first" not in said, args
        assert db.current_revision(engine) == "9999"
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": db.head_revision()})
        engine.dispose()


def test_bills_list_json_gives_every_matching_bill(imported: str) -> None:
    result = invoke("bills", "list", "--json")
    bills = json.loads(result.stdout)
    assert len(bills) == 11  # formatChange/future holds 11 bills
    # The whole bill, as `bills show --json` gives it, for scripts and integrations.
    shown = json.loads(invoke("bills", "show", str(bills[0]["id"]), "--json").stdout)
    assert bills[0] == shown
    assert {"actions", "sponsorships", "committees", "subjects", "versions", "content_hash", "topics"} <= \
        bills[0].keys()
    assert sum(len(b["actions"]) for b in bills) > len(bills)
    limited = json.loads(invoke("bills", "list", "--json", "--limit", "3").stdout)
    assert len(limited) == 3
    enacted = json.loads(invoke("bills", "list", "--json", "--stage", "enacted", "--session", "117").stdout)
    assert "HR 5376" in {b["identifier"] for b in enacted}
    found = json.loads(invoke("bills", "list", "--json", "--text", "inflation reduction").stdout)
    assert [b["identifier"] for b in found] == ["HR 5376"]
    # Whole words in any order, through the search index; no substring or LIKE wildcard matches.
    assert json.loads(invoke("bills", "list", "--json", "--text", "reduction inflation").stdout) == found
    for text in ("%", "_", "infla"):
        assert json.loads(invoke("bills", "list", "--json", "--text", text).stdout) == [], text


def test_bills_show_json_has_the_whole_bill(imported: str) -> None:
    result = invoke("bills", "show", "hr5376", "--session", "117", "--json")
    assert result.exit_code == 0, result.output
    bill = json.loads(result.stdout)
    assert bill["identifier"] == "HR 5376" and bill["stage"] == "enacted"
    for key in ("actions", "sponsorships", "committees", "subjects", "versions", "related_bills", "sources"):
        assert isinstance(bill[key], list) and bill[key], key
    text = invoke("bills", "show", str(bill["id"]))
    assert text.exit_code == 0 and "Inflation Reduction Act" in text.output
    # Its recorded votes (BILLSTATUS gives no tallies), named as the House names them, with the Clerk's record.
    (line,) = [line for line in text.output.splitlines() if "House roll call 420" in line]
    assert line.strip().startswith("House roll call 420, Aug 12, 2022 — On motion that the House agree")
    assert line.rstrip().endswith("· tally not loaded · https://clerk.house.gov/evs/2022/roll420.xml")


def test_bills_show_gives_the_topics_with_their_evidence(imported: str) -> None:
    assert invoke("bills", "show", "S 1260", "--json").exit_code == 0
    assert json.loads(invoke("bills", "show", "S 1260", "--json").stdout)["topics"] == []  # no topics loaded yet
    assert invoke("topics", "load").exit_code == 0  # the default topics, re-scoring the stored bills
    bill = json.loads(invoke("bills", "show", "S 1260", "--json").stdout)
    chips = next(t for t in bill["topics"] if t["topic"] == "chips-datacenters")
    assert chips["flagged"] and chips["score"] >= 0.5 and "semiconductor" in chips["matched_terms"]
    assert any("[[semiconductor]]" in e["snippet"] for e in chips["evidence"])
    assert [t["flagged"] for t in bill["topics"]] == sorted((t["flagged"] for t in bill["topics"]), reverse=True)
    said = " ".join(invoke("bills", "show", "S 1260").stdout.split())
    assert re.search(r"Flagged: Semiconductors and data centers \(0\.\d\d\): computer, semiconductor", said)
    assert "U.S. «semiconductor» manufacturing" in said


def test_exit_codes(imported: str, tmp_path: Path) -> None:
    assert invoke("bills", "show", "HR 999999").exit_code == EXIT_NOT_FOUND
    assert invoke("bills", "list", "--stage", "bogus").exit_code == EXIT_USAGE
    assert invoke("import", str(tmp_path / "missing.xml")).exit_code == EXIT_USAGE
    folder = tmp_path / "feed"
    folder.mkdir()
    assert invoke("import", "--quiet", str(folder)).exit_code == EXIT_NOT_FOUND  # no bill files in it
    bad = folder / "bad.xml"
    bad.write_bytes(b"<billStatus><bill>")
    result = invoke("import", "--quiet", str(bad))
    assert result.exit_code == EXIT_USAGE  # nothing in the path could be read
    assert "bad.xml" in result.output
    good = require_realdata("billstatus", "usgpo_samples", "formatChange", "future", "BILLSTATUS-117hr5376.xml")
    (folder / good.name).write_bytes(good.read_bytes())
    assert invoke("import", "--quiet", str(folder)).exit_code == EXIT_PARTIAL  # some failed, the rest is in
    assert invoke("serve", "--port", "99999").exit_code == EXIT_USAGE
    assert invoke("db", "upgrade", "bogus").exit_code == EXIT_USAGE


@pytest.mark.parametrize("url", ["bogus://x", "::::", "postgresql://postgres@127.0.0.1:1/none",
                                 "mysql://user@host/db"])  # a dialect whose driver is not installed
def test_an_unusable_database_url_is_one_clear_line(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", url)
    config.settings.cache_clear()
    db.dispose_engines()
    try:
        for args in (["bills", "list"], ["db", "upgrade"]):
            result = runner.invoke(app, args)
            assert result.exit_code == EXIT_SCHEMA, result.output
            assert "DATABASE_URL" in result.output and "Traceback" not in result.output
    finally:
        db.dispose_engines()
        config.settings.cache_clear()


# -- acceptance review: paths that do not exist, unreadable folders, other files, read-only commands -----------

def test_every_existing_path_is_imported_and_each_missing_one_named(imported: str, tmp_path: Path) -> None:
    folder = require_realdata("billstatus", "congress119")
    result = invoke("import", "--quiet", str(folder), str(tmp_path / "nonexistent"))
    assert result.exit_code == EXIT_PARTIAL, result.output  # the rest is in: 1, as when some files failed
    assert "2 new" in result.stdout
    assert f"{tmp_path / 'nonexistent'}: no such file or directory" in result.stderr
    only_missing = invoke("import", "--quiet", str(tmp_path / "a"), str(tmp_path / "b"))
    assert only_missing.exit_code == EXIT_USAGE  # nothing could be read
    assert str(tmp_path / "a") in only_missing.stderr and str(tmp_path / "b") in only_missing.stderr


def test_a_folder_of_other_files_holds_no_bill_files(imported: str, tmp_path: Path) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "PROVENANCE.md").write_bytes(require_realdata("billstatus", "PROVENANCE.md").read_bytes())
    (folder / "index.jsonl").write_text('{"bill": "hr1"}\n')
    result = invoke("import", "--quiet", str(folder))
    assert result.exit_code == EXIT_NOT_FOUND  # README: 4, no bill files in a path
    assert "no bill files found" in result.stderr and "2 other files skipped" in result.stderr
    alone = invoke("import", "--quiet", str(folder / "PROVENANCE.md"))  # named on purpose: it must be a bill
    assert alone.exit_code == EXIT_USAGE and "not a recognised bill document" in alone.stderr


def _unprivileged() -> dict[str, int]:
    """Arguments that run a subprocess as a user file permissions apply to: none when we are not root, else
    ``nobody`` (root reads every folder, so a test as root would not exercise the error)."""
    if os.geteuid() != 0:
        return {}
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no 'nobody' user to run the import as")
    user = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
    probe = subprocess.run([sys.executable, "-c", "import tracker.cli"], cwd="/", capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, check=False, **user)
    if probe.returncode != 0:
        pytest.skip(f"running as root, and user nobody cannot run the tracker from {REPO_ROOT}: {probe.stderr[-300:]}")
    return user


def test_an_unreadable_folder_is_named_and_the_import_exits_1(database_url: str) -> None:
    user = _unprivileged()
    bill = require_realdata("billstatus", "congress119", "data", "119", "bills", "hr", "hr1343",
                            "fdsys_billstatus.xml")
    work = Path(tempfile.mkdtemp(prefix="tracker-perm-"))  # pytest's tmp_path is private to root
    try:
        tree = work / "tree"
        (tree / "locked").mkdir(parents=True)
        (tree / "BILLSTATUS-119hr1343.xml").write_bytes(bill.read_bytes())
        (tree / "locked" / "BILLSTATUS-119hr4942.xml").write_bytes(
            require_realdata("billstatus", "congress119", "data", "119", "bills", "hr", "hr4942",
                             "fdsys_billstatus.xml").read_bytes())
        url = database_url
        if url.startswith("sqlite:///"):  # a copy the unprivileged user may write (WAL files beside it)
            shutil.copyfile(url.removeprefix("sqlite:///"), work / "tracker.db")
            url = f"sqlite:///{work / 'tracker.db'}"
        if user:
            for path in (work, tree, tree / "locked", *work.glob("*.db")):
                os.chown(path, user["user"], user["group"])
        (tree / "locked").chmod(0)
        done = subprocess.run([sys.executable, "-m", "tracker", "import", "--quiet", str(tree)], cwd=work,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "DATABASE_URL": url},
                              capture_output=True, text=True, timeout=120, check=False, **user)
    finally:
        (work / "tree" / "locked").chmod(0o755)
        shutil.rmtree(work)
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert "1 read, 1 new" in done.stdout and "1 failed" in done.stdout
    assert f"{tree / 'locked'}: cannot read directory: Permission denied" in done.stderr


def test_read_only_commands_create_no_database(tmp_path: Path) -> None:
    """The default database is var/tracker.db under the working directory; asking about it creates nothing."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TRACKER_HOME")}
    env.update(PYTHONPATH=str(REPO_ROOT), TRACKER_CONFIG="/dev/null")
    for args in (["db", "current"], ["bills", "list"], ["runs"]):
        done = subprocess.run([sys.executable, "-m", "tracker", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == EXIT_SCHEMA, (args, done.stdout, done.stderr)
        assert "does not exist" in done.stdout + done.stderr and "tracker db upgrade" in done.stderr, args
        assert not (tmp_path / "var").exists(), args
    upgraded = subprocess.run([sys.executable, "-m", "tracker", "db", "upgrade"], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120, check=False)
    assert upgraded.returncode == 0 and (tmp_path / "var" / "tracker.db").is_file(), upgraded.stderr


@pytest.mark.realdata
@pytest.mark.slow
@pytest.mark.parametrize("sig, code, why", [(signal.SIGINT, 130, "Ctrl-C"), (signal.SIGTERM, 143, "SIGTERM")])
def test_a_stopped_import_exits_128_plus_the_signal_and_the_run_says_interrupted(
        database_url: str, sig: int, code: int, why: str) -> None:
    import time

    from sqlalchemy import func, select
    from sqlmodel import Session

    from tracker.models import Bill, CrawlRun

    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")  # long enough to be stopped
    # A session of its own, signalled as a terminal or a service manager does: the whole process group, parser
    # processes included.
    child = subprocess.Popen([sys.executable, "-m", "tracker", "import", "--quiet", str(archive)], cwd=REPO_ROOT,
                             env={**os.environ, "PYTHONPATH": str(REPO_ROOT)}, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    engine = db.make_engine(database_url)
    try:
        deadline = time.monotonic() + 120
        with Session(engine) as s:
            while not s.execute(select(func.count()).select_from(Bill)).scalar_one():  # a batch is committed
                assert child.poll() is None and time.monotonic() < deadline, child.communicate()
                time.sleep(0.2)
        os.killpg(child.pid, sig)
        stdout, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
    assert child.returncode == code, stderr
    with Session(engine) as s:
        run = s.execute(select(CrawlRun)).scalar_one()
        stored = s.execute(select(func.count()).select_from(Bill)).scalar_one()
    engine.dispose()
    assert run.status == "interrupted" and run.finished_at is not None
    assert run.new == stored and (run.message or "").startswith(f"interrupted ({why})")
    # Said where the import is run, not only in the run record: the summary line of a finished import, then why
    # it stopped and what to do.
    assert stdout == (f"{archive}: {run.fetched} read, {run.new} new, {run.updated} updated, {run.unchanged} "
                      f"unchanged, {run.failed} failed (run {run.id})\n")
    assert f"interrupted ({why}): only the batches committed before it are stored" in stderr
    assert "import again to finish" in stderr


def _descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (from /proc: children's children too)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        parent = todo.pop()
        children = Path(f"/proc/{parent}/task/{parent}/children")
        for child in map(int, children.read_text().split() if children.exists() else ()):
            found.add(child)
            todo.append(child)
    return found


@pytest.mark.realdata
@pytest.mark.slow
def test_parser_processes_end_when_the_import_is_killed_outright(database_url: str) -> None:
    import time

    from sqlalchemy import func, select
    from sqlmodel import Session

    from tracker.models import Bill

    if not Path("/proc/self/task").exists():
        pytest.skip("needs Linux /proc to find the parser processes")
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    child = subprocess.Popen([sys.executable, "-m", "tracker", "import", "--quiet", "--batch-size", "20",
                              str(archive)], cwd=REPO_ROOT, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    engine = db.make_engine(database_url)
    helpers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        with Session(engine) as s:
            while not s.execute(select(func.count()).select_from(Bill)).scalar_one():  # parsers at work
                assert child.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        helpers = _descendants(child.pid)
        assert len(helpers) >= 3  # the fork server and its parser processes
        child.kill()  # SIGKILL: no shutdown of the pool
        child.wait(timeout=30)
        deadline = time.monotonic() + 20
        while (left := {p for p in helpers if Path(f"/proc/{p}").exists()
                        and "zombie" not in Path(f"/proc/{p}/status").read_text().lower()}) and \
                time.monotonic() < deadline:
            time.sleep(0.5)
        assert not left, f"still running after the import was killed: {sorted(left)}"
    finally:
        engine.dispose()
        if child.poll() is None:
            helpers |= _descendants(child.pid)
            child.kill()
        for p in helpers:  # never leave them behind, whatever failed
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)


# 117th bills whose files mention data brokers (hr9161, s4281 and s4408 outside the indexed title, summary and
# text), the infrastructure act (both words in its summary, apart) and one with neither word; two that write
# "cybersecurity" and "email" as one word (hr8970, hr8160).
DATA_BROKER_BILLS = ("hr/hr4436", "hr/hr6752", "hr/hr7120", "hr/hr9161", "s/s2290", "s/s2340", "s/s3627",
                     "s/s4281", "s/s4408", "hr/hr3684", "hr/hr21", "hr/hr8970", "hr/hr8160")


def test_hyphenated_words_find_the_same_bills_on_every_database(database_url: str, tmp_path: Path) -> None:
    # Runs on SQLite and, with DATABASE_URL set (CI's second pass), on PostgreSQL: both split the query into the
    # same words, so "data-broker" is "data" and "broker" on both (PostgreSQL's own parser used to demand the
    # compound token "data-broker" as well, and found nothing).
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    wanted = {f"data/117/bills/{key}/fdsys_billstatus.xml" for key in DATA_BROKER_BILLS}
    folder = tmp_path / "feed"
    folder.mkdir()
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name in wanted:
                (folder / f"{member.name.split('/')[-2]}.xml").write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
    assert len(list(folder.iterdir())) == len(DATA_BROKER_BILLS)
    assert invoke("import", "--quiet", str(folder)).exit_code == 0

    def found(text: str) -> set[str]:
        return {b["identifier"] for b in json.loads(invoke("bills", "list", "--json", "--text", text).stdout)}

    brokers = found("data broker")
    assert brokers == found("data-broker") == found("broker-data") == found("Data-Brokers")
    assert brokers == {"HR 3684", "HR 4436", "HR 6752", "HR 7120", "S 2290", "S 2340", "S 3627"}
    assert found("data-broker-oversight") == found("data broker oversight")
    # A hyphenated word also finds it written as one word, as people spell it either way.
    assert found("cyber-security") == found("Cyber-Security") == found("cybersecurity") == {"HR 3684", "HR 8970"}
    assert found("e-mail") == found("email") == {"HR 8160"}


def extract_117(folder: Path, key: str) -> Path:
    """One bill's file from the 117th Congress archive ("hr/hr3684"), written into ``folder``."""
    archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
    with tarfile.open(archive, "r|gz") as tar:
        for member in tar:
            if member.name == f"data/117/bills/{key}/fdsys_billstatus.xml":
                target = folder / f"{key.split('/')[-1]}.xml"
                target.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
                return target
    raise AssertionError(f"{key} is not in {archive}")


def test_versions_are_listed_oldest_first_the_undated_before_the_public_law_on_every_database(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 117th H.R. 3684: seven text versions, the Enrolled Bill with an empty <date/>. SQLite sorts NULL first and
    # PostgreSQL last, and the text view showed the last five: the enrolled bill was hidden on SQLite. The law is
    # the last text a bill has, made from the enrolled bill: it comes after it.
    assert invoke("import", "--quiet", str(extract_117(tmp_path, "hr/hr3684"))).exit_code == 0

    bill = json.loads(invoke("bills", "show", "HR 3684", "--session", "117", "--json").stdout)
    assert [(v["date"], v["label"]) for v in bill["versions"]] == [
        ("2021-06-04", "Introduced in House"),
        ("2021-06-22", "Reported in House"),
        ("2021-07-01", "Engrossed in House"),
        ("2021-07-13", "Placed on Calendar Senate"),
        ("2021-08-10", "Engrossed Amendment Senate"),
        (None, "Enrolled Bill"),
        ("2021-11-15", "Public Law"),
    ]
    monkeypatch.setenv("COLUMNS", "250")  # one line per version
    shown = invoke("bills", "show", "HR 3684", "--session", "117").stdout
    lines = [line.split()[1:] for line in shown.splitlines() if line.startswith("  version ")]
    assert [line[0] for line in lines] == [v["date"] or "undated" for v in bill["versions"]]  # every one
    assert "Versions: 7" in shown and "of 7 versions" not in shown
    # What is left out is said: 95 actions (101 stored, six listed by two recording systems), the latest 10 shown.
    assert "(the latest 10 of 95 actions; --json for all)" in shown


@pytest.fixture
def samples_misc_119(database_url: str) -> str:
    """The review's set: every sample, odd case and 119th-Congress file (59 bills)."""
    folders = [require_realdata("billstatus", name) for name in ("usgpo_samples", "misc", "congress119")]
    assert invoke("import", "--quiet", *map(str, folders)).exit_code == 0
    return database_url


# How many of those bills hold the words, found by SQLite's FTS5 (porter unicode61), the reference: PostgreSQL
# used to find none for "U.S.", stop words and abbreviations, and split "e-mail" and "not-for-profit" its own way.
# Legislators' names are words of their bills too (migration 0025), written with a capital: Rep. Will Hurd's bills
# are "Will" but not "will", and a middle initial ("Booker, Cory A.") is "A" but not "a" (tracker.search
# ._with_names).
WHOLE_WORDS = {"U.S. Postal": 4, "U.S. Code": 9, "the": 51, "who": 12, "will": 7, "Will": 9, "e-mail": 2,
               "not-for-profit": 2, "us": 20, "as": 21, "is": 22, "a": 35, "A": 39, "technology": 10,
               "technological": 10, "taxes": 13, "1,000": 4, "section 230": 1, "children's": 4}
# The dashboard's search reads the last word as a prefix (results while typing); of the bills' words only, not of
# legislators' names.
PREFIXES = {"heal": 18, "technolog": 10, "as": 26, "u": 35, "U.S. Pos": 14, "e-ma": 13, "not-for-pro": 19,
            "data bro": 5, "ag": 21, "1,0": 6}

# Bills found by the page and by --text with the quotes, and without them.
PHRASES = {'"health care"': (8, 8, 11), '"care health"': (0, 0, 11), '"data broker"': (0, 0, 1),
           '"public health" "health care"': (2, 2, 8), '"veterans affairs" benefit': (3, 3, 4)}


def test_the_same_words_find_the_same_bills_on_every_database(samples_misc_119: str) -> None:
    from sqlmodel import Session

    from tracker.search import search

    def found(text: str) -> list[str]:
        result = invoke("bills", "list", "--json", "--text", text)
        assert result.exit_code == 0, result.output
        return sorted(f"{b['session']} {b['identifier']}" for b in json.loads(result.stdout))

    assert {text: len(found(text)) for text in WHOLE_WORDS} == WHOLE_WORDS
    assert found("U.S. Postal") == found("u s postal") == ["114 SCONRES 11", "115 HR 3354", "115 SCONRES 3",
                                                            "117 HR 5376"]
    assert found("e-mail") == found("e mail") == ["115 HR 3354", "117 HR 1"]
    assert found("not-for-profit") == ["114 HR 1314", "115 HR 3354"]
    engine = db.make_engine(samples_misc_119)
    with Session(engine) as s:
        assert {text: search(s, text, limit=1)[1] for text in PREFIXES} == PREFIXES
        # The bills with the whole word come before those with longer words it starts ("AI" typed in full: the
        # bills that say "AI" before those that say "air"), on both databases.
        for typed in ("as", "ag", "u", "data bro", "heal"):
            whole = found(typed)
            rows, total = search(s, typed, limit=100)
            assert total > len(whole) and sorted(f"{r['session']} {r['identifier']}" for r in rows[:len(whole)]
                                                  ) == whole, typed
        # A quoted phrase: its words one after the other, on the page and in --text (unquoted: in any order).
        assert {t: (search(s, t)[1], len(found(t)), search(s, t.replace('"', ""))[1]) for t in PHRASES} == PHRASES
        # PostgreSQL records where a word is up to the 16,383rd word of a document, and 115th H.R. 3354's summary
        # (an omnibus, some 170,000 words) says "U.S. Code" only far past that: found in its parts (migration 0034).
        assert found('"U.S. Code"') == ["114 HR 5278", "115 HR 3354"]
        # Ranked alike: the best match is the same bill on both (PostgreSQL's rank put the longest summaries first).
        assert {t: search(s, t, limit=1)[0][0]["identifier"] for t in ("privacy", "tax", "veterans")} == {
            "privacy": "HJRES 45", "tax": "HR 6658", "veterans": "S 469"}
    engine.dispose()


# What people paste or type from other search engines: every mark is punctuation, the words are searched (but
# OR, NOT and a leading minus: tests/tracker/test_search_syntax.py), an operator with nothing to join is ignored.
AS_PRIVACY = ('"privacy"', "privacy*", "(privacy)", "+privacy", "privacy-", "privacy OR", "AND privacy", "{privacy}",
              "'privacy'", "privacy:", "privacy;--", "privacy\\", "PRIVACY", "privacy\x00")
NOTHING = ("", "   ", '"', "'", "*", "-", ":", "()", "...", "%", "_", "\\", "\x00", ")", "-privacy", "NOT privacy",
           "(-)", "--")  # an exclusion alone excludes from nothing: no filter chose bills


def test_search_syntax_is_read_as_words_and_counted_through_the_index(samples_misc_119: str) -> None:
    from sqlalchemy import text
    from sqlmodel import Session

    from tracker.search import _count, _matching_ids, fts5_query, search, words_query

    engine = db.make_engine(samples_misc_119)
    with Session(engine) as s:
        words = search(s, "privacy", limit=100)
        assert words[1] >= 2
        for typed in AS_PRIVACY:  # never an FTS5 or tsquery operator, never an error
            assert search(s, typed, limit=100) == words, typed
        for typed in NOTHING:
            assert search(s, typed) == ([], 0), typed
        assert search(s, "privacy NEAR data")[1] == search(s, "near data privacy")[1]  # NEAR is a word
        assert search(s, " ".join(["privacy data"] * 300))[1] == search(s, "data privacy")[1]  # a pasted page
        # A pasted document of thousands of different words and numbered items: no error (PostgreSQL refused
        # more than 65,535 parameters), the bills its first numbers name (its words all together name none).
        pasted = " ".join(f"privacy data{i} HR {i}," for i in range(7000))
        assert search(s, pasted) == search(s, " ".join(pasted.split()[:60]))
        assert search(s, "privacy " + " ".join(["data"] * 5000) + " act")[1] == search(s, "privacy data act")[1]
        # ... each word asked once, as PostgreSQL asks it (220 repeated words took 0.4 s on SQLite, 25 ms once).
        assert fts5_query(words_query(s, "privacy data privacy data")) == (
            '({title summary body} : "privacy" AND {title summary body} : "data" AND '
            '({title summary body} : "data" OR {title summary body} : "data"*))')
        if engine.dialect.name == "postgresql":
            # The count of a page's matches: two index searches, not a read of every bill's document (an OR of
            # the bill's document and its versions' made PostgreSQL scan the whole table, 0.15 s at 17,817 bills).
            s.execute(text("SET LOCAL enable_seqscan = off"))
            words = words_query(s, "privacy")
            query = _count(s, words, _matching_ids(s, words).cte("hits"), [])
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            # As the driver's SQL: a word's weight (':D') is no bind parameter.
            plan = " ".join(r[0] for r in s.connection().exec_driver_sql(f"EXPLAIN {sql}".replace("%", "%%")))
            assert "ix_bill_fts" in plan and "Seq Scan on bill " not in plan, plan
    engine.dispose()


# Names in 117th-Congress titles: SQLite folds their accents away, as it does in "García" and "garcia".
ACCENTED = ("García Luján Kūhiō Asunción Diné Guillén Loíza Moïse José Chávez État Día", "garcia lujan")


def test_postgresql_stems_every_word_as_sqlite_does(samples_misc_119: str) -> None:
    """Each word of the bills' titles and summaries is one with the same other words on both databases."""
    import re
    import sqlite3
    from collections import defaultdict

    from sqlalchemy import func, select, text
    from sqlmodel import Session

    from tracker.models import Bill

    engine = db.make_engine(samples_misc_119)
    if engine.dialect.name != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL): it compares PostgreSQL's reading of words with SQLite's")
    with Session(engine) as s:
        docs = s.execute(text("SELECT coalesce(title, '') || ' ' || coalesce(summary_text, '') FROM bill")).scalars()
        words = sorted({w.lower() for doc in (*docs, *ACCENTED) for w in re.findall(r"[^\W_]+", doc)})
        pg_stems = dict(s.execute(text(
            "SELECT w, tsvector_to_array(regexp_replace(to_tsvector('tracker_search', tracker_search_words(w))::text,"
            " '0qq''', '''', 'g')::tsvector) FROM unnest(CAST(:words AS text[])) AS w"), {"words": words}).all())
        assert s.execute(select(func.count()).select_from(Bill)).scalar_one() == 59
    engine.dispose()
    fts = sqlite3.connect(":memory:")
    fts.execute("CREATE VIRTUAL TABLE f USING fts5(x, tokenize='porter unicode61')")  # as migration 0003
    fts.execute("CREATE VIRTUAL TABLE v USING fts5vocab(f, 'instance')")
    fts.executemany("INSERT INTO f(rowid, x) VALUES (?, ?)", list(enumerate(words)))
    sqlite_stems: dict[str, list[str]] = defaultdict(list)
    for row, term in fts.execute("SELECT doc, term FROM v"):
        sqlite_stems[words[row]].append(term)
    assert len(words) > 7000
    # The one known difference (migration 0012): the word "ies" ("IES", the Institute of Education Sciences) is "ie" on
    # SQLite and "i" on PostgreSQL.
    assert [w for w in words if sorted(sqlite_stems[w]) != sorted(pg_stems[w])] == ["ies"]


MARKUP_TITLES = ("Act to amend [section 2] of law", "[link=https://example.test/x]Click[/link] Act", "[/x] Act",
                 "Brackets [bold]stay[/] as written Act")


def test_upstream_text_is_never_read_as_markup(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Titles hold brackets ("[section 2]"): rich read them as markup, dropped them, made links of "[link=...]"
    # and crashed (MarkupError, exit 1) on "[/x]". The same for a reference typed by the user.
    from sqlmodel import Session

    from tests.tracker.test_ingest import ingest, make_record

    engine = db.make_engine(database_url)
    with Session(engine) as s:
        ingest(s, *(make_record(n, title=title) for n, title in enumerate(MARKUP_TITLES, 1)))
    engine.dispose()
    monkeypatch.setenv("COLUMNS", "250")
    listed = invoke("bills", "list")
    assert listed.exit_code == 0, listed.output
    for title in MARKUP_TITLES:
        assert title in listed.stdout
        shown = invoke("bills", "show", "HR 1" if "section" in title else str(MARKUP_TITLES.index(title) + 1))
        assert shown.exit_code == 0 and title in shown.stdout, shown.output
    assert "\x1b]8;" not in listed.stdout  # no terminal hyperlink
    missing = invoke("bills", "show", "[/x]")
    assert missing.exit_code == EXIT_NOT_FOUND and "No bill matches '[/x]'." in missing.stderr
    bad_stage = invoke("bills", "list", "--stage", "[/x]")
    assert bad_stage.exit_code == EXIT_USAGE and "Unknown stage [/x]" in bad_stage.stderr


def test_withdrawn_cosponsors_are_not_counted_as_cosponsors(database_url: str, tmp_path: Path) -> None:
    # 117th H.R. 8167: 51 cosponsors in the file, 7 of them with a <sponsorshipWithdrawnDate> (counted by hand
    # in the file); Congress.gov says 44 cosponsors. The text view said 51.
    assert invoke("import", "--quiet", str(extract_117(tmp_path, "hr/hr8167"))).exit_code == 0
    shown = invoke("bills", "show", "HR 8167", "--session", "117").stdout
    assert "Cosponsors: 44 (7 withdrawn)   " in shown
    bill = json.loads(invoke("bills", "show", "HR 8167", "--session", "117", "--json").stdout)
    cosponsors = [s for s in bill["sponsorships"] if s["kind"] == "cosponsor"]
    assert (len(cosponsors), sum(1 for s in cosponsors if s["withdrawn_date"])) == (51, 7)  # all kept, marked


@pytest.mark.realdata
def test_bills_show_finds_a_city_matter_by_its_file_number(database_url: str) -> None:
    """Legistar file numbers are kept as the clerk writes them ("Int 1299-2018", "O2018-9628": real numbers from
    the NYC and Chicago Legislation grids in legistar/); the matters around them are written from the Web API's
    published fields, with Chicago's real MatterHistory records."""
    from sqlmodel import Session

    from tracker.ingest import IngestItem, Ingestor
    from tracker.sources.legistar import parse_list, parse_matter

    histories = require_realdata("legistar", "chicago", "dupe_event.json")
    records = [parse_matter({"MatterId": n, "MatterFile": file, "MatterTitle": f"Matter {file}",
                             "MatterTypeName": kind, "MatterIntroDate": "2018-11-14T00:00:00"},
                            {"histories": parse_list(histories.read_bytes(), str(histories))},
                            client=client, locator=file)
               for n, file, kind, client in ((1, "Int 1299-2018", "Introduction", "nyc"),
                                             (2, "O2018-9628", "Ordinance", "chicago"))]
    with Session(db.get_engine(database_url)) as s:
        Ingestor(s).ingest([IngestItem(record=r) for r in records])
        s.commit()
    for typed, expected in (("Int 1299-2018", "Int 1299-2018"), ("int 1299-2018", "Int 1299-2018"),
                            ("O2018-9628", "O2018-9628"), ("o2018-9628", "O2018-9628")):
        result = invoke("bills", "show", typed, "--json")
        assert result.exit_code == 0, (typed, result.output)
        assert json.loads(result.stdout)["identifier"] == expected


@pytest.mark.realdata
def test_bills_show_names_the_sessions_a_number_is_in(database_url: str) -> None:
    """Real pubinfo rows: AB 1 of the 1999-2000 regular session and of its First Extraordinary Session."""
    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    assert invoke("import", "--quiet", str(folder)).exit_code == 0
    several = invoke("bills", "show", "AB1")
    said = " ".join(several.output.split())
    assert several.exit_code == EXIT_USAGE
    # Which bill is which, and the --session value that picks it.
    assert "--session 19992000s1" in said and "California Peer Assistance and Review Program" in said
    assert "--session 19992000 " in said and "School finance" in said
    # A session spelled otherwise finds nothing: say where the bill is instead of "No bill matches".
    missed = invoke("bills", "show", "AB1", "--session", "1999-2000")
    said = " ".join(missed.output.split())
    assert missed.exit_code == EXIT_NOT_FOUND and "not in session '1999-2000'" in said
    assert "--session 19992000s1" in said and "--session 19992000 " in said
    assert invoke("bills", "show", "AB1", "--session", "19992000s1").exit_code == 0


@pytest.mark.realdata
def test_bills_show_reads_californias_extraordinary_session_numbers(database_url: str) -> None:
    """California prints AB 1 of the First Extraordinary Session as "ABX1 1" / "ABX1-1" (LegiScan's "ABX11");
    pubinfo stores it as AB 1 in session 19992000s1 (real rows of the 1999-2000 archive)."""
    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    assert invoke("import", "--quiet", str(folder)).exit_code == 0
    for typed in ("ABX1 1", "abx1-1", "AB X1-1", "ABX1 0001"):
        result = invoke("bills", "show", typed, "--json")
        assert result.exit_code == 0, (typed, result.output)
        bill = json.loads(result.stdout)
        assert (bill["session"], bill["identifier"]) == ("19992000s1", "AB 1"), typed
    assert invoke("bills", "show", "ABX2 1").exit_code == EXIT_NOT_FOUND  # no second extraordinary session here


@pytest.mark.realdata
def test_bills_list_reads_the_jurisdiction_in_any_case_and_names_an_unknown_scope(database_url: str) -> None:
    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    assert invoke("import", "--quiet", str(folder)).exit_code == 0
    assert len(json.loads(invoke("bills", "list", "--jurisdiction", "CA", "--json").stdout)) == 5
    shown = invoke("bills", "show", "AB1", "--jurisdiction", "CA", "--session", "19992000s1", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["session"] == "19992000s1"
    # A scope that names nothing stored is an error that says what is stored, not an empty list.
    for args, said in ((["--jurisdiction", "XX"], "No jurisdiction 'XX'; stored: ca"),
                       (["--session", "1999-2000"], "No session '1999-2000'; stored: 19992000, 19992000s1"),
                       (["--jurisdiction", "ca", "--session", "117"], "No session '117' in ca; stored: 19992000")):
        result = invoke("bills", "list", *args)
        assert result.exit_code == EXIT_USAGE and said in " ".join(result.output.split()), (args, result.output)


def _said(result, expected: str) -> bool:  # type: ignore[no-untyped-def]
    """Whether the output says ``expected``, wherever the terminal wrapped it (long paths break anywhere)."""
    return "".join(expected.split()) in "".join(result.output.split())


def test_a_database_folder_that_cannot_be_made_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A file where the SQLite database's folder should be (a typo in DATABASE_URL, a mount not there):
    # `tracker db upgrade` (and `tracker run`) showed a FileExistsError traceback.
    (tmp_path / "var").write_text("a file, not a folder")
    with using_database(f"sqlite:///{tmp_path / 'var' / 'tracker.db'}", monkeypatch):
        result = invoke("db", "upgrade")
    assert result.exit_code == EXIT_SCHEMA and _said(result, f"cannot create the folder {tmp_path / 'var'}")


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # DATABASE_URL naming a file that is no SQLite database (the wrong file, a damaged copy): every command
    # showed sqlite3's "file is not a database" as a traceback.
    target = tmp_path / "notes.db"
    target.write_text("meeting notes, not a database\n" * 200)
    with using_database(f"sqlite:///{target}", monkeypatch):
        for args in (["bills", "list"], ["db", "upgrade"]):
            result = invoke(*args)
            assert result.exit_code == EXIT_SCHEMA and _said(result, "file is not a database"), result.output
            assert _said(result, str(target))


def test_a_sqlite_file_that_cannot_be_written_points_at_its_permissions() -> None:
    # A database file and folder this user may only read (a copy restored as root, a service user): SQLite must
    # write -wal and -shm files beside it even to read. The advice was "check ... that the server is running",
    # which there is none of for SQLite.
    user = _unprivileged()
    work = Path(tempfile.mkdtemp(prefix="tracker-ro-"))  # pytest's tmp_path is private to root
    try:
        engine = db.make_engine(f"sqlite:///{work / 'tracker.db'}")
        db.upgrade(engine)
        engine.dispose()
        for name in os.listdir(work):  # no -wal or -shm left for the reader to reuse
            if name != "tracker.db":
                (work / name).unlink()
        (work / "tracker.db").chmod(0o444)
        work.chmod(0o555)
        done = subprocess.run([sys.executable, "-m", "tracker", "bills", "list"], cwd="/",
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT),
                                   "DATABASE_URL": f"sqlite:///{work / 'tracker.db'}",
                                   "TRACKER_CONFIG": "/dev/null"},
                              capture_output=True, text=True, timeout=120, check=False, **user)
    finally:
        work.chmod(0o755)
        shutil.rmtree(work)
    said = " ".join(done.stderr.split())
    assert done.returncode == EXIT_SCHEMA, done.stderr
    assert "readonly database" in said and "server is running" not in said
    assert "may read and write the file and its folder" in said


def test_a_settings_file_this_user_may_not_read_is_named() -> None:
    # tracker.toml kept private by the admin who wrote it (mode 600), the tracker run as a service user: every
    # command ended in a PermissionError traceback from reading the settings.
    user = _unprivileged()
    work = Path(tempfile.mkdtemp(prefix="tracker-cfg-"))
    work.chmod(0o755)  # the folder may be read: the file's own mode keeps it private
    try:
        config_file = work / "tracker.toml"
        config_file.write_text('[crawl]\ncontact = "policy@example.org"\n')
        config_file.chmod(0o000)
        if not user and os.access(config_file, os.R_OK):
            pytest.skip("this user reads files whatever their mode")
        done = subprocess.run([sys.executable, "-m", "tracker", "bills", "list"], cwd="/",
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT), "TRACKER_CONFIG": str(config_file),
                                   "DATABASE_URL": f"sqlite:///{work / 'missing.db'}"},
                              capture_output=True, text=True, timeout=120, check=False, **user)
    finally:
        shutil.rmtree(work)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode != 0 and f"{config_file}: cannot read the settings file" in " ".join(done.stderr.split())


def test_a_command_that_waited_out_a_busy_database_says_busy(database_url: str,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite's one writer held by an import's batch past the busy timeout: the message blamed the server (or
    # the file's permissions), when trying again is all there is to do.
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's one writer and its busy timeout")
    with writer_held(database_url, monkeypatch):
        result = runner.invoke(app, ["users", "add", "ada@example.org", "--role", "admin", "--password-stdin"],
                               input="correct horse battery\n")
    assert result.exit_code == EXIT_SCHEMA, result.output
    assert _said(result, "is busy: another process (an import or a crawl) kept it locked")
    assert "server" not in result.output and "permission" not in result.output


def test_an_error_is_one_line_however_long_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A log or `grep` keeps an error whole: no message is wrapped at the width of a terminal it is not on."""
    missing = tmp_path / ("a-folder-with-a-long-name-" * 4) / "tracker.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    config.settings.cache_clear()
    db.dispose_engines()
    try:
        for args in (["bills", "list"], ["db", "backup"], ["users", "list"], ["export", "--all", "-o", "x.csv"]):
            result = runner.invoke(app, args)
            assert result.exit_code == EXIT_SCHEMA, (args, result.output)
            lines = result.stderr.splitlines()
            assert len(lines) == 1 and str(missing) in lines[0], (args, result.stderr)
    finally:
        db.dispose_engines()
        config.settings.cache_clear()


def test_tracker_runs_names_each_failed_file_on_one_line(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / ("a-folder-with-a-long-name-" * 4) / "bad.xml"
    bad.parent.mkdir()
    bad.write_bytes(b"<billStatus><bill>")
    assert invoke("import", "--quiet", str(bad)).exit_code == EXIT_USAGE
    result = runner.invoke(app, ["runs"])
    assert result.exit_code == 0, result.output
    assert any(line.startswith(f"  {bad}: malformed XML") for line in result.stderr.splitlines()), result.stderr


def test_the_same_failure_gives_the_same_exit_code_in_every_command(imported: str, tmp_path: Path) -> None:
    """README "Command line": a name that does not exist (topic, rule, user...) is bad input, 2, in every
    command; a bill reference that matches no bill is nothing found, 4, in every command."""
    assert invoke("topics", "load").exit_code == 0
    added = runner.invoke(app, ["users", "add", "ada@chamber.example", "--role", "admin", "--password-stdin"],
                          input="a long enough password\n")
    assert added.exit_code == 0, added.output
    packet = str(tmp_path / "packet.csv")
    unknown_names = [
        ["bills", "list", "--topic", "nosuch"], ["bills", "list", "--flagged", "--topic", "nosuch", "--json"],
        ["export", "--topic", "nosuch", "-o", packet], ["topics", "set", "nosuch", "--threshold", "2"],
        ["topics", "add-rule", "nosuch", "broadband"], ["topics", "rescore", "--topic", "nosuch"],
        ["alerts", "subscribe", "ada@chamber.example", "--topic", "nosuch"],
        ["topics", "edit-rule", "99999", "--weight", "2"], ["topics", "remove-rule", "99999"],
        ["alerts", "retry", "99999"], ["users", "deactivate", "nobody@chamber.example"],
    ]
    for args in unknown_names:
        result = invoke(*args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "nosuch" in result.stderr or "99999" in result.stderr or "nobody" in result.stderr, args
    for args in (["bills", "show", "HR 999999"], ["export", "--bill", "HR 999999", "-o", packet],
                 ["alerts", "subscribe", "ada@chamber.example", "--bill", "HR 999999"]):
        result = invoke(*args)
        assert result.exit_code == EXIT_NOT_FOUND and "No bill matches 'HR 999999'" in result.stderr, args
    assert not Path(packet).exists()


@pytest.mark.parametrize(("toml", "args", "named"), [
    ("[database\n", ["bills", "list"], "not valid TOML"),
    ("[database]\nurl = 5\n", ["bills", "list"], "[database] url"),
    ("home = 5\n", ["bills", "list"], "home"),
    ("[crawl]\ncongresses = ['abc']\n", ["crawl", "govinfo_billstatus"], "crawl.congresses"),
    ("[crawl]\nmax_run_hours = -1\n", ["schedule"], "crawl.max_run_hours"),
])
def test_a_setting_that_cannot_be_used_is_bad_input_named_in_one_line(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, toml: str, args: list[str],
        named: str) -> None:
    config_file = tmp_path / "tracker.toml"
    config_file.write_text(toml)
    monkeypatch.setenv("TRACKER_CONFIG", str(config_file))
    if "[database]" in toml or "home" in toml:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    config.settings.cache_clear()
    try:
        result = runner.invoke(app, args)
    finally:
        config.settings.cache_clear()
    assert result.exit_code == EXIT_USAGE, (result.exit_code, result.output)
    assert named in result.stderr and len(result.stderr.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.output


def test_a_tracker_config_that_does_not_exist_is_refused_not_ignored(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in TRACKER_CONFIG ran every command on the defaults: another database (var/tracker.db here), no
    sources, no SMTP, without a word. /dev/null says "no settings file" on purpose."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "trackr.toml"))
    config.settings.cache_clear()
    try:
        result = runner.invoke(app, ["db", "current"])
        assert result.exit_code == EXIT_USAGE, result.output
        assert result.stderr.startswith(f"TRACKER_CONFIG={tmp_path / 'trackr.toml'}: no such file")
        monkeypatch.setenv("TRACKER_CONFIG", "/dev/null")
        config.settings.cache_clear()
        assert "var/tracker.db" in runner.invoke(app, ["db", "current"]).stdout  # the defaults
    finally:
        config.settings.cache_clear()
        db.dispose_engines()
    assert not (tmp_path / "var").exists()


def test_a_jurisdiction_code_is_read_in_any_case(imported: str) -> None:
    """`export --jurisdiction US` found the bills; `bills list --jurisdiction US` listed none, without a word."""
    every = json.loads(invoke("bills", "list", "--json").stdout)
    assert json.loads(invoke("bills", "list", "--jurisdiction", "US", "--json").stdout) == every
    shown = invoke("bills", "show", every[0]["identifier"], "--jurisdiction", "US", "--json")
    assert shown.exit_code == 0 and json.loads(shown.stdout)["id"] == every[0]["id"]


@pytest.mark.parametrize(("variable", "toml"), [
    ("GOVINFO_BASE_URL", ""), (None, '[sources.govinfo_billstatus]\nbase_url = "www.govinfo.gov"\n')])
def test_a_base_url_that_is_no_web_address_is_named_before_crawling(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str | None, toml: str) -> None:
    """It was requested as it was: the crawl failed with "GovInfo listed no BILLSTATUS files ... its listing
    format changed" (exit 5), the setting at fault named nowhere."""
    (tmp_path / "tracker.toml").write_text(toml)
    monkeypatch.setenv("TRACKER_CONFIG", str(tmp_path / "tracker.toml"))
    if variable:
        monkeypatch.setenv(variable, "www.govinfo.gov")
    else:
        monkeypatch.delenv("GOVINFO_BASE_URL", raising=False)
    config.settings.cache_clear()
    try:
        result = runner.invoke(app, ["crawl", "govinfo_billstatus"])
    finally:
        config.settings.cache_clear()
    assert result.exit_code == EXIT_USAGE, result.output
    named = variable or "[sources.govinfo_billstatus] base_url"
    assert result.stderr.startswith(f"{named}: expected an http(s) URL"), result.stderr
    assert "Crawling" not in result.stdout


def test_a_misspelt_setting_or_source_is_refused_not_ignored(engine: "Engine", tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """A typo in tracker.toml changed nothing, without a word: `enabeld = false` left the source crawling (read as
    an option nobody reads), `max_run_hour = 2` left the 12-hour limit, and `[sources.govinfo]` was scheduled
    as a job whose crawl could only fail. `tracker schedule` now refuses each, naming it and what it may be."""
    for doc, named in (
            ({"sources": {"congress_api": {"enabeld": False}}},
             "[sources.congress_api] enabeld: unknown setting; known:"),
            ({"crawl": {"max_run_hour": 2}}, "[crawl] max_run_hour: unknown setting; known:"),
            ({"sources": {"govinfo": {"enabled": True}}}, "[sources.govinfo]: unknown source; known: california, "
                                                          "congress_api, govinfo_billstatus, govinfo_text, legiscan, "
                                                          "legistar, openstates")):
        with pytest.raises(config.ConfigError) as refused:
            config.crawl_settings(env={}, doc=doc)
        assert str(refused.value.code).startswith(named), refused.value.code
    # Every setting tracker.example.toml shows is known.
    example = tomllib.loads((REPO_ROOT / "tracker.example.toml").read_text())
    for table in example["sources"].values():
        table.update(session="20252026", states=["CA"], clients=["lacounty"])
    assert config.crawl_settings(env={}, doc=example).max_run_hours == 12
    settings_file = tmp_path / "tracker.toml"
    settings_file.write_text('[sources.govinfo_billstatus]\nschedul = "0 6 * * *"\n')
    monkeypatch.setenv("TRACKER_CONFIG", str(settings_file))
    config.settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["schedule"])
    finally:
        config.settings.cache_clear()
    assert result.exit_code == EXIT_USAGE and "[sources.govinfo_billstatus] schedul: unknown setting" in result.output


def test_a_switch_written_as_a_string_is_refused_not_read_as_on() -> None:
    """bool("false") is True: `enabled = "false"` had the scheduler crawl a source its operator switched off."""
    for doc, named in (({"sources": {"congress_api": {"enabled": "false"}}}, "[sources.congress_api] enabled"),
                       ({"crawl": {"robotstxt_obey": "false"}}, "[crawl] robotstxt_obey")):
        with pytest.raises(config.ConfigError) as refused:
            config.crawl_settings(env={}, doc=doc)
        assert str(refused.value.code).startswith(f"{named}: expected true or false"), refused.value.code
    crawl = config.crawl_settings(env={}, doc={"sources": {"congress_api": {"enabled": True}}})
    assert crawl.sources["congress_api"].enabled and crawl.robotstxt_obey


def test_bills_show_gives_the_current_text_with_its_links(imported: str) -> None:
    # Real BILLSTATUS H.R. 5376 (117th): the public law is the last text; GovInfo's PDF and formatted text of
    # its PLAW package are its links (BILLSTATUS names only the USLM XML).
    law = "https://www.govinfo.gov/content/pkg/PLAW-117publ169"
    bill = json.loads(invoke("bills", "show", "hr5376", "--session", "117", "--json").stdout)
    assert bill["current_text"] == {
        "label": "Public Law", "date": "2022-08-16", "code": None, "has_text": False,
        "links": [{"kind": "PDF", "url": f"{law}/pdf/PLAW-117publ169.pdf"},
                  {"kind": "Text", "url": f"{law}/html/PLAW-117publ169.htm"},
                  {"kind": "XML", "url": f"{law}_uslm/xml/PLAW-117publ169_uslm.xml"}]}
    said = invoke("bills", "show", "hr5376", "--session", "117").output
    assert "Text: Public Law (2022-08-16)" in said
    assert f"PDF   {law}/pdf/PLAW-117publ169.pdf" in said and f"Text  {law}/html/PLAW-117publ169.htm" in said
    # No text is stored for federal versions: --text says so and where to read it.
    shown = invoke("bills", "show", "hr5376", "--session", "117", "--text")
    assert shown.exit_code == 0 and "No text is stored for Public Law" in shown.output
    assert f"{law}/pdf/PLAW-117publ169.pdf" in shown.output


@pytest.mark.realdata
def test_bills_show_text_prints_the_stored_text(database_url: str) -> None:
    """Real pubinfo rows: California's versions carry their text (the CAML of BILL_VERSION_TBL's .lob files)."""
    folder = require_realdata("ca_pubinfo", "pubinfo_nomindnick_ca-leginfo-mcp", "archive", "1999")
    assert invoke("import", "--quiet", str(folder)).exit_code == 0
    bill = json.loads(invoke("bills", "show", "AB1", "--session", "19992000", "--json").stdout)
    latest = bill["versions"][-1]
    assert bill["current_text"]["label"] == latest["label"] and bill["current_text"]["has_text"]
    assert bill["current_text"]["links"] == [{"kind": "HTML", "url": latest["url"]}]
    shown = invoke("bills", "show", "AB1", "--session", "19992000", "--text")
    assert shown.exit_code == 0
    assert shown.output.startswith(f"{latest['label']} ({latest['date']})")
    assert "The people of the State of California do enact as follows" in shown.output


def test_an_import_onto_a_full_disk_stops_and_says_so(tmp_path: Path) -> None:
    # SQLite on a full file system: the failed batch was retried bill by bill, each statement re-reading the whole
    # log, and the import ground on for many minutes (SIGTERM unanswered), saying nothing of the disk.
    disk = tmp_path / "small"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(disk)], capture_output=True,
                             text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()[:200]}")
    try:
        archive = require_realdata("billstatus", "congress117", "c117_all.tar.gz")
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "TRACKER_CONFIG": "/dev/null",
               "DATABASE_URL": f"sqlite:///{disk / 'tracker.db'}"}
        subprocess.run([sys.executable, "-m", "tracker", "db", "upgrade"], env=env, cwd=REPO_ROOT, check=True,
                       capture_output=True)
        # The time-out only ends a failing run: a working one stops at the first batch that finds no room.
        done = subprocess.run([sys.executable, "-m", "tracker", "import", "--quiet", str(archive)], env=env,
                              cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
    assert done.returncode == EXIT_SCHEMA, done.stderr[-2000:]
    said = " ".join(done.stderr.split())
    assert f"The disk holding {disk / 'tracker.db'} is full" in said, said[-2000:]
    assert "free space, then run the command again" in said
