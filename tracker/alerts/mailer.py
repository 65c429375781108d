"""Sending one message through SMTP (stdlib smtplib): plain, STARTTLS or implicit TLS, optional login.

The server's certificate and host name are always verified, against the system's CAs or, for a server whose
certificate comes from a private CA, against SMTP_CA_FILE / [smtp] ca_file.

Failures are sorted into temporary (try again later: the server said 4xx, or could not be reached) and
permanent (the server refused the recipient or the message for good: 5xx), so the caller can back off or
give up.
"""

import smtplib
import ssl
from email.message import EmailMessage

from tracker.alerts.settings import SmtpSettings


class SendError(RuntimeError):
    def __init__(self, message: str, *, temporary: bool) -> None:
        super().__init__(message)
        self.temporary = temporary


def _tls_context(cfg: SmtpSettings) -> ssl.SSLContext:
    """Certificate and host name always verified: against the system's CAs, or only ``ca_file`` when set."""
    try:
        return ssl.create_default_context(cafile=cfg.ca_file)
    except (OSError, ssl.SSLError) as exc:
        raise SendError(f"SMTP_CA_FILE / [smtp] ca_file {cfg.ca_file!r} cannot be used: {exc}",
                        temporary=True) from None


def _connect(cfg: SmtpSettings) -> smtplib.SMTP:
    if cfg.security == "tls":
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=_tls_context(cfg))
    context = _tls_context(cfg) if cfg.security == "starttls" else None
    client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    if context is not None:
        try:
            client.starttls(context=context)
        except BaseException:
            client.close()  # not yet inside the caller's `with`: close here, or the socket is left open
            raise
    return client


def send_message(cfg: SmtpSettings, message: EmailMessage) -> None:
    """Deliver ``message`` to the server, or raise SendError saying whether trying again may help."""
    if not cfg.configured:
        raise SendError("SMTP is not configured: set SMTP_HOST (and SMTP_PORT, SMTP_SECURITY, SMTP_FROM) or "
                        "[smtp] host in tracker.toml", temporary=True)
    where = f"{cfg.host}:{cfg.port}"
    try:
        with _connect(cfg) as client:
            if cfg.user:
                try:
                    client.login(cfg.user, cfg.password or "")
                except UnicodeEncodeError:  # smtplib sends AUTH as ASCII only; without this the whole run stops
                    raise SendError(f"{where}: SMTP_USER / SMTP_PASSWORD contain non-ASCII characters, which "
                                    "Python's smtplib cannot send in AUTH", temporary=True) from None
            refused = client.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                           for rcpt, (code, msg) in exc.recipients.items())
        raise SendError(f"{where} refused the recipient: {detail}", temporary=any(c < 500 for c in codes)) from None
    except smtplib.SMTPAuthenticationError as exc:
        # Wrong credentials are fixed in the configuration; keep retrying (with backoff) until they are.
        raise SendError(f"{where} refused the login of {cfg.user!r}: {exc.smtp_code} {_text(exc.smtp_error)}",
                        temporary=True) from None
    except smtplib.SMTPResponseException as exc:
        # 530: the server wants STARTTLS or a login first, a setting to fix (as with wrong credentials), not a
        # message to give up on.
        hint = _plain_hint(cfg) if exc.smtp_code == 530 else ""
        raise SendError(f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}{hint}",
                        temporary=exc.smtp_code < 500 or exc.smtp_code == 530) from None
    except smtplib.SMTPNotSupportedError as exc:  # no STARTTLS offered; no AUTH offered (often: not before TLS)
        raise SendError(f"{where}: {exc}{_plain_hint(cfg)}", temporary=True) from None
    except (smtplib.SMTPException, OSError) as exc:  # unreachable, dropped, TLS trouble, timeout
        raise SendError(f"{where}: {type(exc).__name__}: {exc}", temporary=True) from None
    if refused:
        raise SendError(f"{where} refused: {refused}", temporary=False)


def _plain_hint(cfg: SmtpSettings) -> str:
    if cfg.security != "none":
        return ""
    return " (SMTP_SECURITY is none; a server that requires encryption needs starttls, usually on port 587, " \
           "or tls, usually 465)"


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
