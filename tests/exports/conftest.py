"""Fixtures for packet tests; the data they seed is described in export_fixtures.py."""

from pathlib import Path

import pytest
from export_fixtures import Seeded, seed
from sqlmodel import Session

from tracker.exports import Branding


@pytest.fixture
def seeded(session: Session) -> Seeded:
    return seed(session)


@pytest.fixture
def branding(tmp_path: Path) -> Branding:
    return Branding(
        organisation="Metro Chamber — Technology Council (Zoë’s team)",
        accent_color="#7A1F3D",
        disclaimer="Confidential: for members’ meetings only. <not legal advice> & subject to change.",
    )
