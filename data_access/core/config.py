"""Where the database is: one URL setting, read without importing Streamlit."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = APP_ROOT / "data"
SECRETS_FILE = APP_ROOT / ".streamlit" / "secrets.toml"


def _secrets() -> dict:
    if not SECRETS_FILE.exists():
        return {}
    with SECRETS_FILE.open("rb") as fh:
        return tomllib.load(fh)


def database_url() -> str:
    """`DATABASE_URL` from the environment, else `.streamlit/secrets.toml`, else a SQLite file."""
    url = os.environ.get("DATABASE_URL") or _secrets().get("DATABASE_URL")
    if url:
        return normalise_url(url)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA_DIR / 'pmo.db'}"


def normalise_url(url: str) -> str:
    """Accept the usual `postgres://` / `postgresql://` forms and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def setting(name: str, default: str | None = None) -> str | None:
    """An app setting from the environment or secrets (e.g. `PMO_DEMO_DATA`)."""
    return os.environ.get(name) or _secrets().get(name) or default
