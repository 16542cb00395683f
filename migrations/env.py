"""Alembic environment: the models' metadata, and the app's own URL or connection."""

from alembic import context
from sqlmodel import SQLModel

import data_access.core.models  # noqa: F401  (registers the tables on SQLModel.metadata)
import data_access.stakeholders.models  # noqa: F401
from data_access.core import library_models, training_models  # noqa: F401  (registers the tables)
from data_access.core.db import get_engine
from data_access.core.lesson_models import not_search_index

target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        with get_engine().connect() as connection:
            _run(connection)
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=not_search_index,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
