"""Settings: one TOML file, with environment variables of the same names taking precedence.

Lookup order for each setting: environment variable, then ``tracker.toml`` (path from ``TRACKER_CONFIG``, which
must exist when set, else ``./tracker.toml`` if there is one), then the default here.
"""

import datetime as dt
import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_HOME = Path("var")


class ConfigError(SystemExit):
    """A setting that cannot be used, its message naming the file, table or variable it came from.

    A SystemExit, so a crawl process or the scheduler stops with the message; the ``tracker`` command turns it
    into one line and exit 2 (bad input), as it does for every other bad input (tracker.cli)."""


# Settings keys whose values are secrets ([smtp] password, a token or key written into the file): shown as '***'.
# "api_key_env" names an environment variable, not a key, and is shown.
_SECRET_KEY = re.compile(r"(password|secret|token|api_key)$", re.IGNORECASE)


def hidden(value: Any) -> str:
    """A secret as a repr shows it: '***' when set, so a log or a traceback says it is set and nothing more."""
    return "'***'" if value else repr(value)


def without_secrets(doc: Any) -> Any:
    """A settings document (TOML tables) with the values of secret keys as '***'."""
    if isinstance(doc, dict):
        return {key: ("***" if value and isinstance(key, str) and _SECRET_KEY.search(key) else without_secrets(value))
                for key, value in doc.items()}
    if isinstance(doc, list):
        return [without_secrets(value) for value in doc]
    return doc


def shown_database_url(url: str) -> str:
    """A database URL with its password as '***' (SQLAlchemy's rendering), for messages and reprs."""
    from sqlalchemy.engine import make_url  # here: tracker.config is read before anything needs SQLAlchemy
    from sqlalchemy.exc import ArgumentError
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "given in DATABASE_URL"


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    file: dict[str, Any] = field(default_factory=dict)  # the whole TOML document, for sections added later

    def section(self, name: str) -> dict[str, Any]:
        value = self.file.get(name, {})
        return value if isinstance(value, dict) else {}

    def __repr__(self) -> str:  # the dataclass's would show the database password and [smtp] password
        return (f"Settings(home={self.home!r}, database_url={shown_database_url(self.database_url)!r}, "
                f"file={without_secrets(self.file)!r})")


def repr_hiding(obj: Any, *secret_fields: str) -> str:
    """A dataclass's repr as the generated one writes it, with ``secret_fields`` shown by ``hidden``."""
    def one(name: str) -> str:
        value = getattr(obj, name)
        return hidden(value) if name in secret_fields else repr(value)
    shown = ", ".join(f"{f.name}={one(f.name)}" for f in fields(obj) if f.repr)
    return f"{type(obj).__name__}({shown})"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        if not path.is_file():
            return {}
        data = path.read_bytes()
    except OSError as exc:  # kept private by another user (mode 600), an unreadable folder: a line, not a traceback
        raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    named = env.get("TRACKER_CONFIG")
    config_path = Path(named or "tracker.toml")
    if named and not config_path.exists():  # a typo ran everything on the defaults: another database, no sources
        raise ConfigError(f"TRACKER_CONFIG={named}: no such file (TRACKER_CONFIG=/dev/null for no settings file)")
    doc = _read_toml(config_path)
    home = Path(env.get("TRACKER_HOME") or _text(doc.get("home"), f"{config_path}: home") or DEFAULT_HOME)
    database_url = (
        env.get("DATABASE_URL")
        or _text(doc.get("database", {}).get("url"), f"{config_path}: [database] url")
        or f"sqlite:///{(home / 'tracker.db').as_posix()}"
    )
    return Settings(home=home, database_url=normalize_database_url(database_url), file=doc)


def _text(value: Any, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ConfigError(f"{where}: expected a string in quotes, got {value!r}")
    return value


def normalize_database_url(url: str) -> str:
    """Let people write ``postgresql://``; we drive PostgreSQL with psycopg 3, not psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()


# -- crawling: sources, scope, schedules, politeness --------------------------------------------------------
# TOML: a [crawl] table for what all spiders share and one [sources.NAME] table per feed (see
# tracker.example.toml). Environment variables named below override the file.

BILL_TYPES = ("hr", "s", "hjres", "sjres", "hconres", "sconres", "hres", "sres")
# The federal feeds, scoped by Congress and bill type; the state and city feeds are scoped by state (session)
# or Legistar client instead (scrapers.state_base).
CONGRESS_SOURCES = ("govinfo_billstatus", "congress_api")
SOURCE_DEFAULTS: dict[str, dict[str, Any]] = {
    "govinfo_billstatus": {"enabled": True, "schedule": "20 */4 * * *", "base_url": "https://www.govinfo.gov/",
                           "base_url_env": "GOVINFO_BASE_URL", "types": list(BILL_TYPES)},
    "congress_api": {"enabled": False, "schedule": "40 */6 * * *", "base_url": "https://api.congress.gov/v3/",
                     "base_url_env": "CONGRESS_API_BASE_URL", "types": list(BILL_TYPES),
                     "api_key_env": "CONGRESS_API_KEY", "max_requests_per_hour": 4500},
    # Federal bill texts (GovInfo's XML of each tracked bill's latest version): off until a team turns it on.
    # scope "tracked": bills flagged, followed (on a watchlist) or with a position; "all": every federal bill of
    # the configured Congresses. max_texts bounds one run's downloads.
    "govinfo_text": {"enabled": False, "schedule": "50 */4 * * *", "base_url": "https://www.govinfo.gov/",
                     "base_url_env": "GOVINFO_BASE_URL", "scope": "tracked", "max_texts": 500,
                     "max_requests_per_hour": 1800},
    # State and city feeds (tracker.sources.{ca_pubinfo,openstates,legiscan,legistar}); off until configured.
    "california": {"enabled": False, "schedule": "30 6 * * *",
                   "base_url": "https://downloads.leginfo.legislature.ca.gov/", "base_url_env": "PUBINFO_BASE_URL"},
    "openstates": {"enabled": False, "schedule": "10 */6 * * *", "base_url": "https://v3.openstates.org/",
                   "base_url_env": "OPENSTATES_BASE_URL", "api_key_env": "OPENSTATES_API_KEY",
                   "max_requests_per_hour": 600},
    "legiscan": {"enabled": False, "schedule": "50 7 * * *", "base_url": "https://api.legiscan.com/",
                 "base_url_env": "LEGISCAN_BASE_URL", "api_key_env": "LEGISCAN_API_KEY"},
    "legistar": {"enabled": False, "schedule": "25 */6 * * *", "base_url": "https://webapi.legistar.com/v1/",
                 "base_url_env": "LEGISTAR_BASE_URL", "clients": ["lacounty"]},
}


@dataclass(frozen=True)
class SourceSettings:
    name: str
    enabled: bool
    schedule: str  # crontab: minute hour day-of-month month day-of-week (UTC)
    base_url: str
    congresses: tuple[int, ...]  # empty: default_congresses() (the current one, and the last one early on)
    types: tuple[str, ...]
    api_key_env: str | None = None
    options: dict[str, Any] = field(default_factory=dict)  # the rest of the [sources.NAME] table

    def api_key(self, env: dict[str, str] | None = None) -> str | None:
        env = dict(os.environ if env is None else env)
        return (env.get(self.api_key_env) or None) if self.api_key_env else None


DEFAULT_MAX_RUN_HOURS = 12.0  # a first crawl of a whole Congress at a polite pace takes a few hours
# A quarter: long enough to see a document broken upstream, and since when (tracker.run_history).
DEFAULT_KEEP_ERRORS_DAYS = 90.0


@dataclass(frozen=True)
class CrawlSettings:
    contact: str
    user_agent: str
    robotstxt_obey: bool
    autothrottle: bool
    http_cache: bool
    default_sources: tuple[str, ...]  # what `tracker run` crawls before opening the dashboard
    states: tuple[str, ...]  # two-letter codes, for state feeds
    sources: dict[str, SourceSettings]
    scrapy: dict[str, Any] = field(default_factory=dict)  # [crawl.scrapy]: any further Scrapy setting
    # A scheduled crawl still running after this long is stopped (as SIGTERM stops it: what it fetched is
    # kept, the run says interrupted), so one stuck crawl does not hold its source's schedule for good.
    max_run_hours: float = DEFAULT_MAX_RUN_HOURS
    # Errors of runs older than this are deleted (tracker.run_history); the runs keep their counts.
    keep_errors_days: float = DEFAULT_KEEP_ERRORS_DAYS
    # Scheduled crawls also fetch again what an older version of their parser read (`tracker crawl --refresh`):
    # after an upgrade that fixed a parser, crawled bills keep the old reading until then, and nobody reads
    # `tracker status` on a server that runs by itself. Off: only `tracker crawl SOURCE --refresh` does it.
    refresh_older_readings: bool = True

    def source(self, name: str) -> SourceSettings:
        if name not in self.sources:
            raise KeyError(f"unknown source {name!r}; configured: {', '.join(sorted(self.sources))}")
        return self.sources[name]


def source_scope(source: str, crawl: "CrawlSettings", congress: str | None = None, types: str | None = None) -> str:
    """What a crawl of ``source`` covers, as the spider will resolve it from the configuration (``congress`` and
    ``types``: what `tracker crawl` was given); `tracker crawl` and the dashboard's Sources page say it so."""
    cfg = crawl.sources.get(source)
    if source not in CONGRESS_SOURCES:  # a state or city feed: "Congress 119, all types" would be untrue
        options = cfg.options if cfg else {}
        if source == "legistar":
            return "clients " + (", ".join(map(str, options.get("clients") or [])) or "none set")
        if source == "california":  # the Legislature's own download: California only
            return "California pubinfo"
        if source == "govinfo_text":  # texts of the bills a team tracks, else of the configured Congresses
            scope = str(options.get("scope", "tracked"))
            return ("federal bills flagged, followed or with a position" if scope == "tracked" else
                    "federal bills of Congress " + ",".join(map(str, cfg.congresses if cfg and cfg.congresses
                                                                 else default_congresses()))) + ": latest texts"
        states = [str(s).upper() for s in options.get("states") or []] or list(crawl.states)
        session = f", session {options['session']}" if options.get("session") else ""
        return "states " + (", ".join(states) or "none set") + session
    congresses = congress or ",".join(map(str, cfg.congresses if cfg and cfg.congresses else default_congresses()))
    kinds = types or (",".join(cfg.types) if cfg and cfg.types else "all types")
    return f"Congress {congresses}, {kinds}"


def current_congress(today: "dt.date | None" = None) -> int:
    """The Congress sitting on ``today``: each begins on January 3 of an odd year (the 1st in 1789)."""
    today = today or dt.datetime.now(dt.UTC).date()
    year = today.year if not (today.year % 2 == 1 and today < dt.date(today.year, 1, 3)) else today.year - 1
    return (year - 1789) // 2 + 1


# A Congress's files keep changing after it ends: bills presented in its last days are signed or pocket-vetoed in
# January, and GovInfo adds public law numbers and final actions for weeks. Crawls with no Congress configured
# keep reading the last one for this long into the next, so the council sees how its bills ended.
PREVIOUS_CONGRESS_DAYS = 60


def default_congresses(today: "dt.date | None" = None) -> tuple[int, ...]:
    """The Congresses a federal crawl covers when none is configured: the sitting one and, for the first
    ``PREVIOUS_CONGRESS_DAYS`` days of a new Congress, the one before it."""
    today = today or dt.datetime.now(dt.UTC).date()
    current = current_congress(today)
    began = dt.date(1789 + 2 * (current - 1), 1, 3)
    return (current - 1, current) if today < began + dt.timedelta(days=PREVIOUS_CONGRESS_DAYS) else (current,)


def _int_list(value: Any, where: str) -> tuple[int, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    try:
        return tuple(int(str(item).strip()) for item in items if str(item).strip())
    except ValueError:
        raise ConfigError(f"{where}: expected Congress numbers such as 118,119, got {value!r}") from None


def _str_list(value: Any) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value or [])
    return tuple(str(item).strip() for item in items if str(item).strip())


def crawl_settings(env: dict[str, str] | None = None, doc: dict[str, Any] | None = None) -> CrawlSettings:
    """Crawl settings from the TOML document (default: ``settings().file``) with environment overrides:
    GOVINFO_BASE_URL, CONGRESS_API_BASE_URL, TRACKER_SOURCES (enabled sources), TRACKER_CONGRESSES,
    TRACKER_STATES, TRACKER_CONTACT."""
    env = dict(os.environ if env is None else env)
    doc = settings().file if doc is None else doc
    crawl = doc.get("crawl", {})
    _refuse_unknown(crawl, CRAWL_KEYS, "[crawl]")
    for name, table in doc.get("sources", {}).items():
        if name not in SOURCE_DEFAULTS:  # a job of that name could only fail, every time, and say little
            raise ConfigError(f"[sources.{name}]: unknown source; known: {', '.join(sorted(SOURCE_DEFAULTS))}")
        _refuse_unknown(table, SOURCE_KEYS, f"[sources.{name}]")
    env_congresses = _int_list(env.get("TRACKER_CONGRESSES"), "TRACKER_CONGRESSES")
    congresses = _int_list(crawl.get("congresses"), "crawl.congresses")
    enabled_env = _str_list(env.get("TRACKER_SOURCES")) if env.get("TRACKER_SOURCES") else None
    source_names = sorted({*SOURCE_DEFAULTS, *doc.get("sources", {})})
    for where, names in (("TRACKER_SOURCES", enabled_env or ()),
                         ("[crawl] default_sources", _str_list(crawl.get("default_sources", ())))):
        if unknown := [n for n in names if n not in source_names]:  # a typo enabled nothing, without a word
            raise ConfigError(f"{where}: unknown source {', '.join(unknown)}; known: {', '.join(source_names)}")
    sources: dict[str, SourceSettings] = {}
    for name in source_names:
        table = {**SOURCE_DEFAULTS.get(name, {}), **doc.get("sources", {}).get(name, {})}
        base_env = table.pop("base_url_env", None)
        known = {"enabled", "schedule", "base_url", "congresses", "types", "api_key_env"}
        sources[name] = SourceSettings(
            name=name,
            enabled=(name in enabled_env) if enabled_env is not None
            else _switch(table.get("enabled", True), f"[sources.{name}] enabled"),
            schedule=str(table.get("schedule", "0 6 * * *")),
            base_url=_base_url(env.get(base_env) if base_env else None, base_env, table.get("base_url"), name),
            congresses=env_congresses or _int_list(table.get("congresses"), f"sources.{name}.congresses")
            or congresses,
            types=tuple(t.lower() for t in _str_list(table.get("types"))),
            api_key_env=table.get("api_key_env"),
            options={k: v for k, v in table.items() if k not in known},
        )
    contact = env.get("TRACKER_CONTACT") or crawl.get("contact") or "policy-tracker@example.org"
    return CrawlSettings(
        contact=contact,
        user_agent=crawl.get("user_agent")
        or f"policy-tracker/0.1 (+https://github.com/policy-tracker/policy-tracker; {contact})",
        robotstxt_obey=_switch(crawl.get("robotstxt_obey", True), "[crawl] robotstxt_obey"),
        autothrottle=_switch(crawl.get("autothrottle", True), "[crawl] autothrottle"),
        http_cache=_switch(crawl.get("http_cache", False), "[crawl] http_cache"),
        default_sources=_str_list(crawl.get("default_sources", ["govinfo_billstatus"])),
        states=tuple(s.upper() for s in _str_list(env.get("TRACKER_STATES") or crawl.get("states"))),
        sources=sources,
        scrapy={str(k).upper(): v for k, v in crawl.get("scrapy", {}).items()},
        max_run_hours=_hours(crawl.get("max_run_hours", DEFAULT_MAX_RUN_HOURS), "crawl.max_run_hours"),
        keep_errors_days=_days(crawl.get("keep_errors_days", DEFAULT_KEEP_ERRORS_DAYS), "crawl.keep_errors_days"),
        refresh_older_readings=_switch(crawl.get("refresh_older_readings", True), "[crawl] refresh_older_readings"),
    )


# What [crawl] and [sources.NAME] may hold (tracker.example.toml shows each). Anything else is a typo that would
# change nothing without a word: `enabeld = false` left a source crawling, `max_run_hour` the default limit.
CRAWL_KEYS = {"contact", "user_agent", "robotstxt_obey", "autothrottle", "http_cache", "congresses", "states",
              "default_sources", "max_run_hours", "keep_errors_days", "refresh_older_readings", "scrapy"}
SOURCE_KEYS = {"enabled", "schedule", "base_url", "congresses", "types", "api_key_env",
               # options some spiders read: congress_api, openstates; state feeds; legistar
               "max_requests_per_hour", "overlap_hours", "subresources", "states", "session", "clients",
               "scope", "max_texts"}  # govinfo_text


def _refuse_unknown(table: Any, known: set[str], where: str) -> None:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: expected a table of settings, got {table!r}")
    if unknown := sorted(set(table) - known):
        raise ConfigError(f"{where} {', '.join(unknown)}: unknown setting; known: {', '.join(sorted(known))}")


def _switch(value: Any, where: str) -> bool:
    """A TOML boolean: bool("false") is True, so a quoted one switched a source on that was meant off."""
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false (without quotes), got {value!r}")
    return value


def _base_url(from_env: str | None, variable: str | None, from_file: Any, source: str) -> str:
    """A source's base URL, refused when it is no web address: requested as it was, a typo failed the crawl
    as "upstream is empty or its listing format changed", the setting at fault named nowhere."""
    value, where = (from_env, variable) if from_env else (str(from_file or ""), f"[sources.{source}] base_url")
    if value:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"{where}: expected an http(s) URL such as https://www.govinfo.gov/, got {value!r}")
    return value


def _days(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise ConfigError(f"{where}: expected a number of days above 0, got {value!r}")
    return float(value)


def _hours(value: Any, where: str) -> float:
    try:
        hours = float(value)
    except (TypeError, ValueError):
        hours = math.nan
    if not hours > 0 or math.isinf(hours):
        raise ConfigError(f"{where}: expected a number of hours above 0, got {value!r}")
    return hours
