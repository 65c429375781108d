"""Digests over encrypted SMTP: a real aiosmtpd server on 127.0.0.1 speaking STARTTLS (required) or implicit TLS,
with AUTH, and a client that verifies the server's certificate against a private CA (SMTP_CA_FILE).

The CA and the server certificate are made in the test with the `openssl` command-line tool (`cryptography` is
not one of our declared dependencies); the tests skip when it is absent.
"""

import datetime as dt
import shutil
import ssl
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.alerts.conftest import Mailbox, World, _free_port, bill_record
from tracker.alerts import subscriptions
from tracker.alerts.delivery import delivery_log, run_alerts
from tracker.alerts.settings import alert_settings, smtp_settings

USER, PASSWORD = "alerts@chamber.example", "s3cret pass:word\\tls"


@dataclass(frozen=True)
class Certs:
    ca: Path  # what the client is told to trust (SMTP_CA_FILE)
    cert: Path  # the server's certificate (for 127.0.0.1), signed by ``ca``
    key: Path


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"openssl {' '.join(args)} failed: {done.stderr}"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    """A private CA and a server certificate it signed for IP 127.0.0.1 (EC keys: quick to make)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command-line tool is not installed (apt-get install openssl): it makes the test "
                    "certificates")
    d = tmp_path_factory.mktemp("smtp-certs")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
             "-subj", "/CN=Policy Tracker test CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    _openssl("req", "-new", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "server.ext").write_text("subjectAltName = IP:127.0.0.1\nbasicConstraints = critical,CA:FALSE\n"
                                  "keyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\n")
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "2",
             "-days", "2", "-extfile", "server.ext", "-out", "server.pem", cwd=d)
    return Certs(ca=d / "ca.pem", cert=d / "server.pem", key=d / "server.key")


@dataclass
class Logins:
    """What the server's authenticator saw: (login, password, TLS version of the channel or None)."""

    seen: list[tuple[str, str, str | None]] = field(default_factory=list)

    def __call__(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        tls = server.transport.get_extra_info("ssl_object")
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.seen.append((login, password, tls.version() if tls else None))
        return AuthResult(success=(login, password) == (USER, PASSWORD))


@dataclass
class Server:
    box: Mailbox
    logins: Logins
    port: int


@pytest.fixture
def start_server(certs: Certs, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Server]]:
    """Start an SMTP server on 127.0.0.1 in ``mode`` "starttls" (STARTTLS required before anything else, AUTH
    only over TLS) or "tls" (the listening socket speaks TLS); point the SMTP_* settings at it."""
    started: list[Controller] = []

    def start(mode: str, *, security: str | None = None, ca_file: Path | None = certs.ca) -> Server:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(certs.cert, certs.key)
        box, logins, port = Mailbox(), Logins(), _free_port()
        if mode == "starttls":
            controller = Controller(box, hostname="127.0.0.1", port=port, tls_context=tls, require_starttls=True,
                                    authenticator=logins, auth_required=True)
        else:
            # aiosmtpd only counts STARTTLS as encryption for AUTH; here every byte is already inside TLS.
            controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=tls, authenticator=logins,
                                    auth_require_tls=False)
        controller.start()
        started.append(controller)
        for name, value in {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": security or mode,
                            "SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD,
                            "SMTP_FROM": "Policy Tracker <alerts@chamber.example>",
                            "TRACKER_DASHBOARD_URL": "https://tracker.chamber.example",
                            "TRACKER_FEEDS_URL": "https://feeds.chamber.example"}.items():
            monkeypatch.setenv(name, value)
        if ca_file is None:
            monkeypatch.delenv("SMTP_CA_FILE", raising=False)
        else:
            monkeypatch.setenv("SMTP_CA_FILE", str(ca_file))
        return Server(box=box, logins=logins, port=port)

    try:
        yield start
    finally:
        for controller in started:
            controller.stop()


def _one_ai_bill_for_sam(world: World, number: int) -> None:
    s = world.session
    subscriptions.subscribe(s, user=world.staff, kind="topic", target="ai", cadence="instant")
    subscriptions.unsubscribe(s, user=world.admin)  # only Sam gets mail here
    s.commit()
    world.store(bill_record(number, "Artificial Intelligence Accountability Act"))
    s.commit()


def _send(world: World, *, now: dt.datetime | None = None):  # type: ignore[no-untyped-def]
    report = run_alerts(world.session.get_bind(), now=now, smtp=smtp_settings(), cfg=alert_settings())
    world.session.expire_all()
    return report


def _log(world: World) -> list[dict[str, Any]]:
    return delivery_log(world.session)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_digest_goes_out_encrypted_with_login_and_a_verified_certificate(
        world: World, start_server: Callable[..., Server], mode: str) -> None:
    server = start_server(mode)
    _one_ai_bill_for_sam(world, 601)
    report = _send(world)
    assert (report.sent, report.failed, report.retrying, report.errors) == (1, 0, 0, [])
    assert server.box.recipients == [["sam@chamber.example"]]
    mail = server.box.messages[0]
    assert mail["Subject"] == "Policy Tracker: 1 update on H.R. 601 (119th Congress)"
    assert mail["To"] == "Sam Staff <sam@chamber.example>"
    assert "Artificial Intelligence Accountability Act" in mail.get_body(("plain",)).get_content()
    # One login, with the configured credentials, over TLS 1.2 or newer.
    assert len(server.logins.seen) == 1
    login, password, tls_version = server.logins.seen[0]
    assert (login, password) == (USER, PASSWORD) and tls_version in ("TLSv1.2", "TLSv1.3")
    [entry] = _log(world)
    assert (entry["email"], entry["status"], entry["attempts"], entry["last_error"]) == \
        ("sam@chamber.example", "sent", 1, None)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_a_certificate_from_an_untrusted_ca_is_refused_not_ignored(
        world: World, start_server: Callable[..., Server], mode: str) -> None:
    server = start_server(mode, ca_file=None)  # the system's CAs do not know our private CA
    _one_ai_bill_for_sam(world, 602)
    report = _send(world)
    assert (report.sent, report.retrying) == (0, 1)
    assert server.box.messages == [] and server.logins.seen == []  # the password never left the client
    [entry] = _log(world)
    assert entry["status"] == "retrying"
    assert f"127.0.0.1:{server.port}" in entry["last_error"] and "CERTIFICATE_VERIFY_FAILED" in entry["last_error"]


@pytest.mark.parametrize("with_login", [True, False])
def test_plain_text_to_a_server_that_requires_starttls_fails_clearly_and_is_retried(
        world: World, start_server: Callable[..., Server], monkeypatch: pytest.MonkeyPatch, with_login: bool) -> None:
    server = start_server("starttls", security="none")  # port 587 configured as if it were plain SMTP
    if not with_login:
        monkeypatch.delenv("SMTP_USER")
        monkeypatch.delenv("SMTP_PASSWORD")
    _one_ai_bill_for_sam(world, 603)
    report = _send(world)
    assert (report.sent, report.retrying, report.failed) == (0, 1, 0)
    assert server.box.messages == [] and server.logins.seen == []
    [entry] = _log(world)
    # A setting to fix, like wrong credentials: the digest waits (backoff) instead of failing for good.
    assert entry["status"] == "retrying" and entry["attempts"] == 1 and entry["next_attempt_at"] is not None
    error = entry["last_error"]
    assert error.startswith(f"127.0.0.1:{server.port}")
    if with_login:  # the server offers AUTH only after STARTTLS
        assert "SMTP AUTH extension not supported by server" in error
    else:  # MAIL FROM is refused before STARTTLS
        assert "530 Must issue a STARTTLS command first" in error
    assert "SMTP_SECURITY is none" in error and "starttls" in error
    assert report.errors == [f"digest {entry['id']} to sam@chamber.example: {error}"]


def test_starttls_against_a_server_that_does_not_offer_it_fails_without_leaking_the_connection(
        world: World, smtp: Mailbox, certs: Certs, monkeypatch: pytest.MonkeyPatch) -> None:
    # ``smtp``: the plain test server, no STARTTLS. Warnings are errors, so an unclosed socket fails this test.
    monkeypatch.setenv("SMTP_SECURITY", "starttls")
    monkeypatch.setenv("SMTP_CA_FILE", str(certs.ca))
    _one_ai_bill_for_sam(world, 604)
    report = _send(world)
    assert (report.sent, report.retrying) == (0, 1) and smtp.messages == []
    [entry] = _log(world)
    assert "STARTTLS extension not supported by server" in entry["last_error"]


def test_an_unreadable_ca_file_is_named_in_the_log_and_the_digest_goes_out_once_it_is_fixed(
        world: World, start_server: Callable[..., Server], certs: Certs, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    server = start_server("tls")
    missing = tmp_path / "no-such-ca.pem"
    monkeypatch.setenv("SMTP_CA_FILE", str(missing))
    _one_ai_bill_for_sam(world, 605)
    report = _send(world)
    assert (report.sent, report.retrying) == (0, 1) and server.box.messages == []
    [entry] = _log(world)
    assert f"SMTP_CA_FILE / [smtp] ca_file {str(missing)!r} cannot be used" in entry["last_error"]

    monkeypatch.setenv("SMTP_CA_FILE", str(certs.ca))
    assert _send(world, now=entry["next_attempt_at"]).sent == 1 and len(server.box.messages) == 1
    [entry] = _log(world)
    assert (entry["status"], entry["attempts"]) == ("sent", 2)


def test_a_password_smtplib_cannot_send_is_reported_not_a_crash(
        world: World, start_server: Callable[..., Server], monkeypatch: pytest.MonkeyPatch) -> None:
    server = start_server("starttls")
    monkeypatch.setenv("SMTP_PASSWORD", "s3cret-över")  # smtplib encodes AUTH as ASCII
    _one_ai_bill_for_sam(world, 606)
    report = _send(world)  # before the fix: UnicodeEncodeError out of the run, the digest stuck in "sending"
    assert (report.sent, report.retrying) == (0, 1) and server.box.messages == []
    [entry] = _log(world)
    assert entry["status"] == "retrying"
    assert "SMTP_USER / SMTP_PASSWORD contain non-ASCII characters" in entry["last_error"]
