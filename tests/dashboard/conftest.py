"""Fixtures for dashboard and service tests (data described in dash_fixtures.py)."""

import pytest
from dash_fixtures import Seeded, seed
from sqlmodel import Session


@pytest.fixture
def seeded(session: Session) -> Seeded:
    return seed(session)
