"""One app server per browser-test module, on its own copy of the tier-S demo database."""

from __future__ import annotations

import shutil

import pytest

from tests.e2e.harness import streamlit_servers


@pytest.fixture(scope="module")
def demo_url(demo_sqlite_path, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("e2e") / "demo.db"
    shutil.copy(demo_sqlite_path, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def server(demo_url, tmp_path_factory):
    with streamlit_servers(demo_url, tmp_path_factory.mktemp("logs")) as (server,):
        yield server
