"""Settings: one TOML file, with environment variables of the same names taking precedence.

Lookup order for each setting: environment variable, then ``tracker.toml`` (path from ``TRACKER_CONFIG``,
else ``./tracker.toml``), then the default here.
"""

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_HOME = Path("var")


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    realdata: Path
    file: dict[str, Any] = field(default_factory=dict)  # the whole TOML document, for sections added later

    def section(self, name: str) -> dict[str, Any]:
        value = self.file.get(name, {})
        return value if isinstance(value, dict) else {}


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise SystemExit(f"{path}: not valid TOML: {exc}") from exc


def load_settings(env: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if env is None else env)
    config_path = Path(env.get("TRACKER_CONFIG", "tracker.toml"))
    doc = _read_toml(config_path)
    home = Path(env.get("TRACKER_HOME") or doc.get("home") or DEFAULT_HOME)
    database_url = (
        env.get("DATABASE_URL")
        or doc.get("database", {}).get("url")
        or f"sqlite:///{(home / 'tracker.db').as_posix()}"
    )
    realdata = Path(env.get("TRACKER_REALDATA") or doc.get("realdata") or "../shared/realdata")
    return Settings(home=home, database_url=normalize_database_url(database_url), realdata=realdata, file=doc)


def normalize_database_url(url: str) -> str:
    """Let people write ``postgresql://``; we drive PostgreSQL with psycopg 3, not psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache(maxsize=1)
def settings() -> Settings:
    return load_settings()
