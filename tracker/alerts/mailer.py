"""Sending one message through SMTP (stdlib smtplib): plain, STARTTLS or implicit TLS, optional login.

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


def _connect(cfg: SmtpSettings) -> smtplib.SMTP:
    if cfg.security == "tls":
        return smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=ssl.create_default_context())
    client = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    if cfg.security == "starttls":
        client.starttls(context=ssl.create_default_context())
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
                client.login(cfg.user, cfg.password or "")
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
        raise SendError(f"{where} answered {exc.smtp_code} {_text(exc.smtp_error)}",
                        temporary=exc.smtp_code < 500) from None
    except (smtplib.SMTPException, OSError) as exc:  # unreachable, dropped, TLS trouble, timeout
        raise SendError(f"{where}: {type(exc).__name__}: {exc}", temporary=True) from None
    if refused:
        raise SendError(f"{where} refused: {refused}", temporary=False)


def _text(value: bytes | str) -> str:
    return value.decode(errors="replace") if isinstance(value, bytes) else str(value)
