"""The job queue's tables (Procrastinate's schema), on PostgreSQL only: SQLite runs jobs in-process.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    from procrastinate.schema import SchemaManager

    # Many statements in one script: asyncpg runs them only as a simple query, outside a prepared statement.
    schema = SchemaManager.get_schema()
    dbapi = bind.connection.dbapi_connection
    assert dbapi is not None  # the migration's own open connection
    dbapi.run_async(lambda asyncpg: asyncpg.execute(schema))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        raise NotImplementedError("Procrastinate's schema has no downgrade; restore a backup to go back.")
