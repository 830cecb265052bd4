"""The schema comes from the Alembic migrations, and they match the models."""

from __future__ import annotations

import io

from alembic import command
from alembic.config import Config
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

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


def test_upgrading_masks_personal_data_already_in_the_history(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'app.sqlite3'}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
        conn.execute(text("INSERT INTO users (id, username, display_name, role, groups, active, created_at) "
                          "VALUES (1, 'kim', 'kim', 'staff', '[]', 1, '2026-01-01')"))
        conn.execute(text("INSERT INTO conversations (id, user_id, assistant, title, created_at) "
                          "VALUES (1, 1, 'childcare', '제 번호는 010-1234-5678 이고 주민번호 900101-12', '2026-01-01')"))
        conn.execute(text("INSERT INTO messages (conversation_id, role, text, mode, sources, notice, created_at) VALUES "
                          "(1, 'user', '제 번호는 010-1234-5678 이고 주민번호 900101-1234567 입니다', '', '[]', '', '2026-01-01'),"
                          "(1, 'assistant', '안내 전화 02-2133-7000', 'extractive', '[]', '', '2026-01-01')"))
    db.migrate()
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM conversations")).scalar() == \
            "제 번호는 [전화번호] 이고 주민번호 [주민등록번호] 입니다"
        assert [row[0] for row in conn.execute(text("SELECT text FROM messages ORDER BY id"))] == \
            ["제 번호는 [전화번호] 이고 주민번호 [주민등록번호] 입니다", "안내 전화 02-2133-7000"]
