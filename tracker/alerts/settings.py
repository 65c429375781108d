"""Alert settings: ``[smtp]`` and ``[alerts]`` in tracker.toml, environment variables taking precedence.

SMTP: SMTP_HOST, SMTP_PORT, SMTP_SECURITY (none | starttls | tls), SMTP_USER, SMTP_PASSWORD, SMTP_FROM,
SMTP_CA_FILE (PEM file of the CA that signed the server's certificate, e.g. a company-internal CA: trusted
instead of the system's CAs; certificate and host name are verified either way).
Alerts: TRACKER_DASHBOARD_URL (links in emails), TRACKER_FEEDS_URL (where `tracker alerts serve` is reachable:
feed and unsubscribe links), TRACKER_ALERTS_SCHEDULE (crontab of the alert job), daily_hour / weekly_day in
``timezone`` (TRACKER_ALERTS_TIMEZONE, an IANA name; UTC by default).
"""

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.config import repr_hiding, settings

SECURITY_MODES = ("none", "starttls", "tls")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class AlertConfigError(ValueError):
    """A setting that cannot be used, named with where it came from."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str
    timeout: float = 30.0
    ca_file: str | None = None  # PEM CA bundle to verify the server against (None: the system's CAs)

    @property
    def configured(self) -> bool:
        return bool(self.host)

    def __repr__(self) -> str:  # a repr lands in logs and tracebacks: the password shows as '***'
        return repr_hiding(self, "password")


@dataclass(frozen=True)
class AlertSettings:
    dashboard_url: str
    feeds_url: str
    schedule: str  # crontab (UTC) of the job that collects, fans out and sends what is due
    daily_hour: int  # the hour daily digests go out, on the clock of ``timezone``
    weekly_day: str  # weekday weekly digests go out (at daily_hour), in ``timezone``
    max_attempts: int  # a digest that failed this many times is given up (status "failed")
    backoff_seconds: int  # first retry after this long, doubling each time
    backoff_max_seconds: int
    timezone: dt.tzinfo = dt.UTC  # the clock of daily_hour and weekly_day (DST included)
    # A digest about more bills than this lists these (a council position or on a watchlist first) and counts the
    # rest: the first digest after a whole-Congress import held thousands of lines nobody reads.
    digest_max_bills: int = 50

    @property
    def timezone_name(self) -> str:
        return getattr(self.timezone, "key", None) or str(self.timezone)

    def send_times(self) -> str:
        """When digests go out, on which clock, for `tracker status` and the Sources page. Left at UTC the zone
        is easy to miss (a Chicago office's 7:00 digest came at 1:00 or 2:00), so UTC names the setting too."""
        day = WEEKDAY_NAMES[WEEKDAYS.index(self.weekly_day)]
        when = f"daily at {self.daily_hour:02d}:00, weekly on {day} at {self.daily_hour:02d}:00"
        if self.timezone is dt.UTC:
            return (f"{when}, UTC (set [alerts] timezone or TRACKER_ALERTS_TIMEZONE to your office's, such as "
                    "America/Chicago)")
        return f"{when}, {self.timezone_name} time"


def _pick(env: dict[str, str], section: dict[str, Any], env_name: str, key: str, default: Any = None) -> Any:
    value = env.get(env_name)
    if value not in (None, ""):
        return value
    value = section.get(key)
    return default if value in (None, "") else value


def _int(section: dict[str, Any], key: str, default: int) -> int:
    value = section.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
        raise AlertConfigError(f"[alerts] {key} = {value!r} is not a whole number")
    return int(value)


def _on_this_machine(host: str) -> bool:
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def smtp_settings(env: dict[str, str] | None = None, doc: dict[str, Any] | None = None) -> SmtpSettings:
    env = dict(os.environ if env is None else env)
    section = (doc if doc is not None else settings().file).get("smtp", {}) or {}
    security = str(_pick(env, section, "SMTP_SECURITY", "security", "starttls")).strip().lower()
    if security not in SECURITY_MODES:
        raise AlertConfigError(f"SMTP_SECURITY / [smtp] security = {security!r}; one of: {', '.join(SECURITY_MODES)}")
    port_value = _pick(env, section, "SMTP_PORT", "port", DEFAULT_PORTS[security])
    try:
        port = int(port_value)
    except (TypeError, ValueError):
        raise AlertConfigError(f"SMTP_PORT / [smtp] port = {port_value!r} is not a port number") from None
    host = str(_pick(env, section, "SMTP_HOST", "host", "")).strip()
    user = _pick(env, section, "SMTP_USER", "user")
    if security == "none" and user and host and not _on_this_machine(host):
        raise AlertConfigError(f"SMTP_SECURITY / [smtp] security = none with SMTP_USER set would send the SMTP "
                               f"password to {host} in clear text; use starttls or tls (plain text is allowed only "
                               "to a relay on this machine)")
    sender = str(_pick(env, section, "SMTP_FROM", "from", "policy-tracker@localhost")).strip()
    return SmtpSettings(host=host, port=port, security=security, user=user,
                        password=_pick(env, section, "SMTP_PASSWORD", "password"), sender=sender,
                        timeout=float(section.get("timeout", 30)),
                        ca_file=_pick(env, section, "SMTP_CA_FILE", "ca_file"))


def alert_settings(env: dict[str, str] | None = None, doc: dict[str, Any] | None = None) -> AlertSettings:
    env = dict(os.environ if env is None else env)
    section = (doc if doc is not None else settings().file).get("alerts", {}) or {}
    weekly_day = str(section.get("weekly_day", "mon")).strip().lower()[:3]
    if weekly_day not in WEEKDAYS:
        raise AlertConfigError(f"[alerts] weekly_day = {section.get('weekly_day')!r}; one of: {', '.join(WEEKDAYS)}")
    daily_hour = _int(section, "daily_hour", 7)
    if not 0 <= daily_hour <= 23:
        raise AlertConfigError(f"[alerts] daily_hour = {daily_hour}; an hour 0-23 (in [alerts] timezone)")
    max_bills = _int(section, "digest_max_bills", 50)
    if max_bills < 1:
        raise AlertConfigError(f"[alerts] digest_max_bills = {max_bills}; at least 1 (bills listed in a digest)")
    zone_name = str(_pick(env, section, "TRACKER_ALERTS_TIMEZONE", "timezone", "UTC")).strip()
    try:
        zone: dt.tzinfo = dt.UTC if zone_name.upper() == "UTC" else ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise AlertConfigError(f"TRACKER_ALERTS_TIMEZONE / [alerts] timezone = {zone_name!r} is not a time zone "
                               "name such as America/New_York or Europe/Paris (IANA tz database)") from None
    return AlertSettings(
        dashboard_url=str(_pick(env, section, "TRACKER_DASHBOARD_URL", "dashboard_url",
                                "http://localhost:8501")).rstrip("/"),
        feeds_url=str(_pick(env, section, "TRACKER_FEEDS_URL", "feeds_url", "http://localhost:8502")).rstrip("/"),
        schedule=str(_pick(env, section, "TRACKER_ALERTS_SCHEDULE", "schedule", "*/5 * * * *")),
        daily_hour=daily_hour,
        weekly_day=weekly_day,
        max_attempts=_int(section, "max_attempts", 8),
        backoff_seconds=_int(section, "backoff_seconds", 60),
        backoff_max_seconds=_int(section, "backoff_max_seconds", 6 * 3600),
        timezone=zone,
        digest_max_bills=max_bills,
    )
