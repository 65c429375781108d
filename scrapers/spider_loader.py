"""Spider loader (SPIDER_LOADER_CLASS) that imports only the spider a crawl asks for.

Scrapy's own loader imports every module under SPIDER_MODULES before it can hand out one spider, so a scheduled
``scrapy crawl govinfo_billstatus`` also imported the California, LegiScan, Legistar, Open States and Congress.gov
spiders and their parsers. Our spider modules are named after their spider (``scrapers/spiders/legiscan.py``
holds ``name = "legiscan"``, checked by the tests), so ``load(name)`` first imports that one module. Anything
else (``scrapy list``, a name that is not a module, ``find_by_request``) falls back to Scrapy's full walk, which
also warns about duplicate names as before.
"""

import importlib
from collections import defaultdict

from scrapy import Spider
from scrapy.settings import BaseSettings
from scrapy.spiderloader import SpiderLoader


class ByNameSpiderLoader(SpiderLoader):
    def __init__(self, settings: BaseSettings):
        # Scrapy's __init__ walks every module; the same state, filled on demand instead.
        self.spider_modules: list[str] = settings.getlist("SPIDER_MODULES")
        self.warn_only: bool = settings.getbool("SPIDER_LOADER_WARN_ONLY")
        self._spiders: dict[str, type[Spider]] = {}
        self._found: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self._walked = False

    def load(self, spider_name: str) -> type[Spider]:
        if spider_name not in self._spiders and not self._walked:
            self._load_named(spider_name)
        if spider_name not in self._spiders:
            self._walk()
        return super().load(spider_name)

    def list(self) -> list[str]:
        self._walk()
        return super().list()

    def find_by_request(self, request):  # type: ignore[no-untyped-def]  # Scrapy's signature
        self._walk()
        return super().find_by_request(request)

    def _load_named(self, spider_name: str) -> None:
        if not spider_name.isidentifier():
            return
        for package in self.spider_modules:
            module_name = f"{package}.{spider_name}"
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name in (module_name, package):  # no such module: try the next package, then walk
                    continue
                raise  # the module exists but one of its imports is missing: that is the real error
            self._load_spiders(module)
            if spider_name in self._spiders:
                return

    def _walk(self) -> None:
        if not self._walked:
            self._spiders.clear()
            self._found.clear()
            self._load_all_spiders()
            self._walked = True
