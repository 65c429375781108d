"""Scrapy settings for the Policy Tracker spiders.

Values that people configure come from the tracker's one settings file (``tracker.toml``, see
``tracker.example.toml``) with environment overrides, through ``tracker.config.crawl_settings``; anything here
can still be overridden for one run with ``scrapy crawl NAME -s KEY=VALUE``.
"""

from scrapy.settings import default_settings as _scrapy_defaults

from tracker.config import crawl_settings, settings

_crawl = crawl_settings()

BOT_NAME = "policy_tracker"
SPIDER_MODULES = ["scrapers.spiders"]
SPIDER_LOADER_CLASS = "scrapers.spider_loader.ByNameSpiderLoader"  # a crawl imports only its own spider
NEWSPIDER_MODULE = "scrapers.spiders"
COMMANDS_MODULE = "scrapers.commands"  # `crawl` exits non-zero when the run failed

# Every spider's base URL is a setting (GOVINFO_BASE_URL / CONGRESS_API_BASE_URL environment variables or
# [sources.NAME] base_url), so a crawl can be pointed at a mirror or a local test server.
GOVINFO_BASE_URL = _crawl.source("govinfo_billstatus").base_url
GOVINFO_TEXT_BASE_URL = _crawl.source("govinfo_text").base_url
CONGRESS_API_BASE_URL = _crawl.source("congress_api").base_url
CONGRESS_API_KEY_ENV = _crawl.source("congress_api").api_key_env or "CONGRESS_API_KEY"
CONGRESS_API_SUBRESOURCES = list(_crawl.source("congress_api").options.get(
    "subresources", ["actions", "cosponsors", "committees", "subjects", "summaries", "text", "titles",
                     "relatedbills"]))
CONGRESS_API_OVERLAP_HOURS = float(_crawl.source("congress_api").options.get("overlap_hours", 24))
# State and city feeds (PUBINFO_BASE_URL, OPENSTATES_BASE_URL, LEGISCAN_BASE_URL, LEGISTAR_BASE_URL).
PUBINFO_BASE_URL = _crawl.source("california").base_url
OPENSTATES_BASE_URL = _crawl.source("openstates").base_url
OPENSTATES_API_KEY_ENV = _crawl.source("openstates").api_key_env or "OPENSTATES_API_KEY"
LEGISCAN_BASE_URL = _crawl.source("legiscan").base_url
LEGISCAN_API_KEY_ENV = _crawl.source("legiscan").api_key_env or "LEGISCAN_API_KEY"
LEGISTAR_BASE_URL = _crawl.source("legistar").base_url
STATE_FEED_OVERLAP_HOURS = 24.0  # incremental windows start this long before the last successful run

# Politeness: say who we are and how to reach us, obey robots.txt, adapt the pace to the server's latency.
USER_AGENT = _crawl.user_agent
ROBOTSTXT_OBEY = _crawl.robotstxt_obey
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 4
AUTOTHROTTLE_ENABLED = _crawl.autothrottle
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024  # no real bill file comes near; the importer refuses the same
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is an error for that document, never half a bill
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no listening control port on a crawl host
# Components a crawl never uses are left out of Scrapy's base lists, not merely switched off: since Scrapy 2.17
# every key of EXTENSIONS / DOWNLOADER_MIDDLEWARES is imported even when its value is None (scrapy/scrapy#8005),
# and these modules cost every crawl ~0.2 s of CPU at start (the remote control pulls in aiohttp, the cookies
# middleware tldextract), a tenth of a re-crawl where nothing changed. Derived from Scrapy's own defaults, so
# components a Scrapy upgrade adds stay in.
_UNUSED = {
    "scrapy.extensions.remote_control.RemoteControl",  # REMOTE_CONTROL_ENABLED = False
    "scrapy.extensions.telnet.TelnetConsole",  # TELNETCONSOLE_ENABLED = False
    "scrapy.downloadermiddlewares.cookies.CookiesMiddleware",  # COOKIES_ENABLED = False
}
EXTENSIONS_BASE = {k: v for k, v in _scrapy_defaults.EXTENSIONS_BASE.items() if k not in _UNUSED}
# A scheduled crawl keeps its own deadline, so it ends even when the scheduler that started it was killed
# (scrapers.deadline). The scheduler sets both; 0: no deadline (`tracker crawl` by hand). In the base list, so
# an EXTENSIONS of [crawl.scrapy] cannot drop it.
EXTENSIONS_BASE["scrapers.deadline.RunDeadline"] = 0
TRACKER_MAX_RUN_SECONDS = 0
TRACKER_STOP_GRACE_SECONDS = 60
DOWNLOADER_MIDDLEWARES_BASE = {k: v for k, v in _scrapy_defaults.DOWNLOADER_MIDDLEWARES_BASE.items()
                               if k not in _UNUSED}

# Faults: retries with exponential backoff on 5xx and timeouts, Retry-After on 429 (scrapers.middlewares).
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_MAX = 120.0
RETRY_AFTER_DEFAULT = 60.0
RETRY_AFTER_MAX = 3600.0
RATE_LIMIT_RETRY_TIMES = 5
MAX_REQUESTS_PER_HOUR = 0  # per spider; congress_api sets it from [sources.congress_api] max_requests_per_hour
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "scrapers.middlewares.BackoffRetryMiddleware": 550,
    "scrapers.robots_slot.RobotsTxtSlotMiddleware": 90,
    # Before robots.txt (100) and every redirect's new request: only the source's own host is ever asked.
    "scrapers.source_hosts.SourceHostMiddleware": 50,
}

ITEM_PIPELINES = {"scrapers.pipelines.IngestPipeline": 300}
INGEST_BATCH_SIZE = 200
# With semantic relevance on, batches are flagged with it and small ones embedded as they go; `tracker crawl
# --no-embed` sets 0: keywords and stored embeddings only, the model never loaded (`tracker topics embed` later).
TRACKER_EMBED = True
# `tracker crawl --refresh` sets 1: fetch again what an older version of the parser read (tracker.crawlstore).
TRACKER_REFRESH = False

# Optional HTTP cache for development ([crawl] http_cache = true): repeat a crawl without asking upstream.
HTTPCACHE_ENABLED = _crawl.http_cache
HTTPCACHE_DIR = str((settings().home / "httpcache").resolve())
HTTPCACHE_EXPIRATION_SECS = 0
HTTPCACHE_IGNORE_HTTP_CODES = [304, 408, 429, 500, 502, 503, 504]

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

# Last: [crawl.scrapy] in tracker.toml sets any other Scrapy setting (DOWNLOAD_DELAY, CONCURRENT_REQUESTS...).
globals().update(_crawl.scrapy)
