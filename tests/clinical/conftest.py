"""Fixtures for the pure clinical tests: no app, no database."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from selfcare.clinical import Content, Plan, default_content_dir, load_content


@pytest.fixture(scope="session")
def content_dir() -> Path:
    """The repository's content/ folder."""
    return default_content_dir()


@pytest.fixture(scope="session")
def content(content_dir: Path) -> Content:
    """All content, loaded once."""
    return load_content(content_dir)


@pytest.fixture(scope="session")
def plan(content: Content) -> Plan:
    """The default protocol plan."""
    return content.plan


@pytest.fixture
def content_copy(tmp_path: Path, content_dir: Path) -> Path:
    """A writable copy of content/ to break on purpose."""
    target = tmp_path / "content"
    shutil.copytree(content_dir, target)
    return target
