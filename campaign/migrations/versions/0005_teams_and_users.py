"""Teams and their users; campaigns belong to a team (names unique within it); jobs record who submitted and
confirmed them (and their creatives, who made
them); the reference images each team took in. Everything made before is the default team's.

Revision ID: 0005
Revises: 0004
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"

TS = sa.DateTime(timezone=True)
LIVE = sa.text("removed_at IS NULL")


def upgrade() -> None:
    bind = op.get_bind()
    teams = op.create_table(
        "teams",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.bulk_insert(teams, [{"id": "default", "name": "default", "created_at": datetime.now(UTC)}])
    op.create_table(
        "accounts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("email", sa.String(254)),
        sa.Column("password_hash", sa.String(200)),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("credentials", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("removed_at", TS),
    )
    for column in ("name", "email"):
        op.create_index(
            f"uq_accounts_{column}_live", "accounts", [column], unique=True, sqlite_where=LIVE, postgresql_where=LIVE
        )
    if bind.dialect.name == "postgresql":
        op.drop_constraint("campaigns_name_key", "campaigns", type_="unique")
    with op.batch_alter_table("campaigns", naming_convention={"uq": "uq_%(table_name)s_%(column_0_name)s"}) as batch:
        if bind.dialect.name == "sqlite":  # the unnamed UNIQUE(name) of 0001, named by the convention
            batch.drop_constraint("uq_campaigns_name", type_="unique")
        batch.add_column(sa.Column("team_id", sa.String(32), nullable=False, server_default="default"))
        batch.create_foreign_key("fk_campaigns_team_id", "teams", ["team_id"], ["id"])
        batch.create_index("ix_campaigns_team_id", ["team_id"])
        batch.create_unique_constraint("uq_campaigns_team_name", ["team_id", "name"])
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("submitted_by", sa.String(32)))
        batch.add_column(sa.Column("confirmed_by", sa.String(32)))
    with op.batch_alter_table("creatives") as batch:
        batch.add_column(sa.Column("made_by", sa.String(32)))
        batch.add_column(sa.Column("confirmed_by", sa.String(32)))
    grants = op.create_table(
        "team_references",
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("created_at", TS, nullable=False),
    )
    query = sa.select(sa.column("reference_keys", sa.JSON)).select_from(sa.table("creatives"))
    used = {key for (keys,) in bind.execute(query) for key in keys or []}
    now = datetime.now(UTC)
    op.bulk_insert(grants, [{"team_id": "default", "key": key, "created_at": now} for key in sorted(used)])


def downgrade() -> None:
    op.drop_table("team_references")
    with op.batch_alter_table("creatives") as batch:
        batch.drop_column("confirmed_by")
        batch.drop_column("made_by")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("confirmed_by")
        batch.drop_column("submitted_by")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint("uq_campaigns_team_name", type_="unique")
        batch.drop_index("ix_campaigns_team_id")
        batch.drop_constraint("fk_campaigns_team_id", type_="foreignkey")
        batch.drop_column("team_id")
        batch.create_unique_constraint("campaigns_name_key", ["name"])
    op.drop_table("accounts")
    op.drop_table("teams")
