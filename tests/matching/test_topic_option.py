"""Every ``--topic`` (and topic argument) takes a topic's slug or its name, in any case, through one resolver,
and names the known topics when it matches none (exit 2: an unknown name)."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from tests.matching.conftest import bill_record
from tracker.cli import app
from tracker.matching.topics import TopicError, resolve_topic

runner = CliRunner()
KNOWN = ("known topics: ai, broadband, chips-datacenters, cybersecurity, digital-commerce, future-of-work, "
         "innovation-capital, iot, mobility, online-safety, privacy, tech-workforce")


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def add_people() -> None:
    for email, role in (("ada@chamber.example", "admin"), ("sam@chamber.example", "staff")):
        assert run("users", "add", email, "--role", role, "--password-stdin", stdin="correct horse battery\n"
                   )[0] == 0


@pytest.fixture
def loaded(database_url: str, session: Session, store_bills: Callable) -> Session:
    store_bills(bill_record(1, "Rural Broadband Deployment Act", "Grants for broadband in rural areas."),
                bill_record(2, "Consumer Data Privacy Act", "Limits what data brokers do with personal data."))
    assert run("topics", "load", "--if-empty")[0] == 0
    return session


def test_the_resolver_takes_a_slug_a_name_or_an_id_in_any_case(loaded: Session) -> None:
    privacy = resolve_topic(loaded, "privacy")
    for typed in ("Privacy", " PRIVACY ", "Privacy and data", "privacy AND DATA", str(privacy.id)):
        assert resolve_topic(loaded, typed).id == privacy.id, typed
    with pytest.raises(TopicError) as raised:
        resolve_topic(loaded, "astrology")
    assert str(raised.value) == f"No topic 'astrology'; {KNOWN}"


def test_every_topic_option_takes_a_slug_or_a_name(loaded: Session, tmp_path: Path) -> None:
    for typed in ("privacy", "Privacy and data", "PRIVACY AND DATA"):
        for flagged in ([], ["--flagged"]):
            code, out, err = run("bills", "list", *flagged, "--topic", typed, "--json")
            assert code == 0 and [b["identifier"] for b in json.loads(out)] == ["HR 2"], (typed, err)
        code, out, err = run("export", "--topic", typed, "--format", "json", "-o", "-")
        assert code == 0 and [b["identifier"] for b in json.loads(out)["bills"]] == ["HR 2"], err
        code, out, err = run("topics", "rescore", "--topic", typed)
        assert code == 0, err
    add_people()
    code, out, err = run("alerts", "subscribe", "sam@chamber.example", "--topic", "Broadband and telecom")
    assert code == 0 and "follows topic broadband" in out, err
    code, out, err = run("alerts", "unsubscribe", "sam@chamber.example", "--topic", "BROADBAND")
    assert code == 0 and "Removed 1 subscription" in out, err
    code, out, err = run("topics", "add-rule", "Privacy and data", '"location data"')
    assert code == 0, err


def test_an_unknown_topic_is_refused_naming_the_known_ones_everywhere(loaded: Session) -> None:
    add_people()
    for args in (["bills", "list", "--topic", "astrology"], ["bills", "list", "--flagged", "--topic", "astrology"],
                 ["export", "--topic", "astrology", "-o", "-", "--format", "json"],
                 ["topics", "rescore", "--topic", "astrology"],
                 ["alerts", "subscribe", "sam@chamber.example", "--topic", "astrology"],
                 ["alerts", "unsubscribe", "sam@chamber.example", "--topic", "astrology"]):
        code, _, err = run(*args)
        assert code == 2 and f"No topic 'astrology'; {KNOWN}" in err, (args, err)
