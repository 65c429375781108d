"""What the state and city spiders share on top of ``scrapers.base.TrackerSpider``: their own scope arguments
(states, sessions, Legistar clients instead of Congresses and bill types), API keys from the environment, and
the incremental window each scope value keeps for itself.

    scrapy crawl openstates -a states=ca,ny [-a session=20252026]
    scrapy crawl legistar -a clients=lacounty,chicago
"""

import datetime as dt
import os
from typing import Any

from scrapers.base import TrackerSpider, hide_in_logs
from tracker.config import crawl_settings
from tracker.crawling import EXIT_USAGE
from tracker.sources.states import STATE_NAMES


class StateFeedSpider(TrackerSpider):
    scope_key = "states"  # the CrawlRun argument listing what a run covered
    key_env_setting: str | None = None  # the Scrapy setting naming the API key's environment variable
    key_help = ""

    def __init__(self, *args: Any, states: str | None = None, session: str | None = None,
                 clients: str | None = None, **kwargs: Any):
        self._states_arg, self._session_arg, self._clients_arg = states, session, clients
        self.states: tuple[str, ...] = ()
        self.session: str | None = None
        self.clients: tuple[str, ...] = ()
        self.api_key = ""
        super().__init__(*args, **kwargs)

    def _resolve_scope(self) -> None:
        crawl = crawl_settings()
        source = crawl.sources.get(self.source_name or self.name)
        options = source.options if source else {}
        states = [s.strip().lower() for s in (self._states_arg or "").split(",") if s.strip()]
        states = states or [s.lower() for s in options.get("states", [])] or [s.lower() for s in crawl.states]
        unknown = [s for s in states if s not in STATE_NAMES or s == "us"]
        if unknown:
            self.fail(f"-a states: unknown state code(s) {', '.join(unknown)}", EXIT_USAGE)
        self.states = tuple(s for s in states if s not in unknown)
        self.session = (self._session_arg or "").strip() or options.get("session") or None
        clients = [c.strip().lower() for c in (self._clients_arg or "").split(",") if c.strip()]
        self.clients = tuple(clients or [str(c).lower() for c in options.get("clients", [])])

    def scope_args(self) -> dict[str, Any]:
        return {"states": list(self.states), "session": self.session, "clients": list(self.clients)}

    def read_api_key(self, default_env: str) -> bool:
        """The key from its environment variable; without one the run fails loudly (exit 2)."""
        env = (self.settings.get(self.key_env_setting) if self.key_env_setting else None) or default_env
        self.api_key = os.environ.get(env, "").strip()
        hide_in_logs(self.api_key)
        if not self.api_key:
            self.fail(f"{env} is not set: the {self.name} feed needs an API key. {self.key_help}"
                      f" Then run `export {env}=...`", EXIT_USAGE)
        return bool(self.api_key)

    async def keyed_state_start(self, default_env: str) -> bool:
        """The shared opening of a keyed per-state feed: a state to crawl, an API key, the known documents.
        False when the run cannot start (the reason is already recorded)."""
        if self.fatal or self.store is None:
            return False
        if not self.states:
            self.fail("no state to crawl: pass -a states=ca or set [crawl] states / TRACKER_STATES", EXIT_USAGE)
            return False
        if not self.read_api_key(default_env):
            return False
        self.known = await self.store.call(self.store.store.known_documents)
        return True

    async def since(self, value: str) -> dt.datetime | None:
        """Start of this scope value's incremental window: its last successful run minus the overlap."""
        assert self.store is not None
        started = await self.store.call(self.store.store.last_success_covering, self.scope_key, value)
        if started is None:
            return None
        return started - dt.timedelta(hours=self.settings.getfloat("STATE_FEED_OVERLAP_HOURS", 24))

    def base_url(self) -> str:
        base = self.settings.get(self.base_setting) or ""
        return base if base.endswith("/") else base + "/"

    base_setting = ""
