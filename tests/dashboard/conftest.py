"""Fixtures for dashboard and service tests (data described in dash_fixtures.py)."""

from collections.abc import Iterator

import pytest
from browser_helpers import chromium, chromium_page
from dash_fixtures import Seeded, seed
from sqlmodel import Session


@pytest.fixture
def seeded(session: Session) -> Seeded:
    return seed(session)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """One Chromium for a browser test file's tests (starting it took 2 s and 1.2 CPU-s a test); the browser tests
    are split over files so that xdist's workers share them (one file of them took 200 to 300 s on one worker)."""
    with chromium() as started:
        yield started


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    """A desktop-size page in a context of its own, so no cookie or storage passes from one test to the next (a
    test that parametrizes a ``page`` name of its own, a dashboard page's path, gets that instead)."""
    with chromium_page(browser=browser) as new_page:
        yield new_page
