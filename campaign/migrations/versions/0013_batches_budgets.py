"""Batches and budgets: a feed made into videos (`batches`, `batch_rows`, `jobs.batch_id`), monthly budgets per
team and per user (`budgets`), and the spend ledger (`spend`: estimated when confirmed, actual once ended).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("batch_id", sa.String(32)))
        batch.create_index("ix_jobs_batch_id", ["batch_id"])
    op.create_table(
        "batches",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("campaign_id", sa.String(32), sa.ForeignKey("campaigns.id"), nullable=False, index=True),
        sa.Column("set_id", sa.String(32), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("source", sa.String(200), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("estimated_cost_usd", sa.Float(), nullable=False),
        sa.Column("origin", sa.String(80), nullable=False),
        sa.Column("created_by", sa.String(32)),
        sa.Column("confirmed_by", sa.String(32)),
        sa.Column("canceled_by", sa.String(32)),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "batch_rows",
        sa.Column("batch_id", sa.String(32), sa.ForeignKey("batches.id"), primary_key=True),
        sa.Column("number", sa.Integer(), primary_key=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("problem", sa.Text()),
        sa.Column("items", sa.JSON(), nullable=False),
    )
    op.create_table(
        "budgets",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("user_id", sa.String(32)),
        sa.Column("monthly_usd", sa.Float(), nullable=False),
        sa.Column("set_by", sa.String(32)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("uq_budgets_team", "budgets", ["team_id"], unique=True,
                    sqlite_where=sa.text("user_id IS NULL"), postgresql_where=sa.text("user_id IS NULL"))  # fmt: skip
    op.create_index("uq_budgets_user", "budgets", ["team_id", "user_id"], unique=True,
                    sqlite_where=sa.text("user_id IS NOT NULL"),
                    postgresql_where=sa.text("user_id IS NOT NULL"))  # fmt: skip
    op.create_table(
        "spend",
        sa.Column("job_id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("user_id", sa.String(32), index=True),
        sa.Column("batch_id", sa.String(32)),
        sa.Column("month", sa.String(7), nullable=False, index=True),
        sa.Column("estimated_usd", sa.Float(), nullable=False),
        sa.Column("actual_usd", sa.Float()),
        sa.Column("settled_at", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("spend")
    op.drop_index("uq_budgets_user", "budgets")
    op.drop_index("uq_budgets_team", "budgets")
    op.drop_table("budgets")
    op.drop_table("batch_rows")
    op.drop_table("batches")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_index("ix_jobs_batch_id")
        batch.drop_column("batch_id")
