"""`tracker users add` (the accounts service) and `tracker alerts ...` end to end on a real database and a
real SMTP server."""

import json

import icalendar
from sqlmodel import Session
from typer.testing import CliRunner

from tests.alerts.conftest import Mailbox, bill_record
from tracker.cli import app
from tracker.ingest import IngestItem, Ingestor
from tracker.matching import flag_bills

runner = CliRunner()
PASSWORD = "correct horse battery\n"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_subscribe_list_send_log_and_feeds_from_the_command_line(database_url: str, session: Session,
                                                                  smtp: Mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("TRACKER_SEMANTIC", "off")
    assert run("topics", "load", "--if-empty")[0] == 0
    assert run("users", "add", "ada@chamber.example", "--role", "admin", "--password-stdin", stdin=PASSWORD)[0] == 0
    code, out, _ = run("users", "add", "sam@chamber.example", "--role", "staff", "--password-stdin", stdin=PASSWORD)
    assert code == 0 and "Added sam@chamber.example (staff)" in out
    code, out, _ = run("alerts", "defaults", "ada@chamber.example")  # admins get no digests unless they choose
    assert code == 0 and "The admin role has no default subscriptions: ada@chamber.example follows what" in out

    code, out, _ = run("alerts", "subscribe", "sam@chamber.example", "--topic", "ai", "--cadence", "daily")
    assert code == 0 and "sam@chamber.example follows topic ai (daily)" in out
    code, out, _ = run("alerts", "subscribe", "sam@chamber.example", "--position", "oppose", "--jurisdiction", "us",
                       "--cadence", "weekly", "--events", "stage_change,position")
    assert code == 2 and "No jurisdiction 'us'" in _  # no bills stored yet: nothing named us
    code, out, _ = run("alerts", "subscribe", "sam@chamber.example", "--position", "oppose", "--cadence", "weekly",
                       "--events", "stage_change,position")
    assert code == 0 and "follows position Oppose (weekly; only position, stage_change)" in out
    code, _, err = run("alerts", "subscribe", "sam@chamber.example", "--topic", "astrology")
    assert code == 2 and "No topic 'astrology'" in err
    code, _, err = run("alerts", "subscribe", "sam@chamber.example", "--topic", "ai", "--cadence", "hourly")
    assert code == 2 and "Unknown cadence 'hourly'" in err

    code, out, _ = run("alerts", "list", "sam@chamber.example", "--json")
    listed = json.loads(out)["subscriptions"]
    assert code == 0 and [(v["kind"], v["target"], v["cadence"], v["events"]) for v in listed] == [
        ("position", "Oppose", "weekly", ["position", "stage_change"]), ("topic", "ai", "daily", [])]
    assert run("alerts", "list")[0] == 0

    code, out, _ = run("alerts", "send")  # the first run: what is flagged already is the baseline, not news
    assert code == 0 and "0 sent" in out
    result = Ingestor(session).ingest([IngestItem(bill_record(901, "Artificial Intelligence Disclosure Act"))])
    flag_bills(session, result.changed_bill_ids)
    session.commit()
    code, out, err = run("alerts", "send")  # daily: not due before the daily hour has passed since it came in
    assert code == 0 and "0 sent" in out and smtp.messages == []
    code, out, err = run("alerts", "send", "--now")
    assert code == 0 and "1 sent" in out, err
    assert smtp.recipients == [["sam@chamber.example"]] and "H.R. 901" in smtp.messages[0]["Subject"]
    code, out, _ = run("alerts", "send", "--now")
    assert code == 0 and "0 sent" in out and len(smtp.messages) == 1

    code, out, _ = run("alerts", "list", "sam@chamber.example", "--json")
    digests = json.loads(out)["digests"]
    assert [(d["email"], d["status"], d["items"], d["attempts"]) for d in digests] == [
        ("sam@chamber.example", "sent", 1, 1)]
    assert run("alerts", "log", "--status", "failed")[0] == 0

    code, out, _ = run("alerts", "token", "sam@chamber.example")
    assert code == 0 and "https://feeds.chamber.example/feeds/" in out and "hearings.ics" in out
    assert "/feeds/SECRET/" not in out  # the first time: the secret is made, and shown
    code, again, _ = run("alerts", "token", "sam@chamber.example")  # then only a hash is left to show
    assert code == 0 and "/feeds/SECRET/hearings.ics" in again and "--rotate" in again
    code, out, _ = run("alerts", "feed", "sam@chamber.example", "--hearings")
    assert code == 0 and list(icalendar.Calendar.from_ical(out).walk("VEVENT")) == []


def test_an_unknown_digest_status_is_refused_not_an_empty_log(database_url: str) -> None:
    code, out, err = run("alerts", "log", "--status", "failde")
    assert code == 2 and "failde" in err and "pending, retrying, sent, failed, uncertain, cancelled" in err, out
    assert run("alerts", "log", "--status", "failed")[0] == 0


def test_the_feed_server_names_a_port_it_cannot_listen_on(database_url: str) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = run("alerts", "serve", "--port", str(port))
    assert code == 2 and f"127.0.0.1:{port}" in err and "Traceback" not in err + out, err
    code, out, err = run("alerts", "serve", "--port", "99999")
    assert code == 2 and "--port" in err and "Traceback" not in err + out, err


def test_an_empty_alerts_list_says_what_is_missing_and_how_to_add_a_subscription(database_url: str) -> None:
    # A new admin's first `tracker alerts list` printed two empty frames: no word that nothing is followed yet,
    # nor how to follow something.
    code, out, _ = run("alerts", "list")
    assert code == 0
    assert "No subscriptions yet." in out and "Alerts page" in out and "tracker alerts subscribe EMAIL" in out
    assert "No digests sent yet." in out
    assert "┃" not in out  # no empty table's frame
    assert run("users", "add", "ada@chamber.example", "--role", "admin", "--password-stdin", stdin=PASSWORD)[0] == 0
    code, out, _ = run("alerts", "list", "ada@chamber.example")
    assert code == 0 and "ada@chamber.example has no subscriptions yet." in out and "No digests sent yet." in out
    code, out, _ = run("alerts", "log", "--status", "failed")
    assert code == 0 and out.strip() == "No failed digests." and "┃" not in out
