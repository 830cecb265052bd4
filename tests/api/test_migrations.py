"""The schema comes from the Alembic migrations, and they match the models."""

from __future__ import annotations

import io

from alembic import command
from alembic.config import Config
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from api.db import Base, Database
from api.db.database import MIGRATIONS


def test_migrations_build_every_table_and_match_the_models(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    db.migrate()
    db.migrate()  # idempotent: every start runs it
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models changed without a migration: {diff}"


def test_postgresql_script_renders_offline():
    buffer = io.StringIO()
    config = Config(output_buffer=buffer)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", "postgresql://user@db/seoul_assist")
    command.upgrade(config, "head", sql=True)
    sql = buffer.getvalue()
    assert "CREATE TABLE users" in sql and "CREATE TABLE audit_events" in sql
    assert "TIMESTAMP WITH TIME ZONE" in sql
