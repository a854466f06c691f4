"""Exports: a job's kind (`jobs.kind`: a video, or an export of one) and what an export delivered (`exports`:
its placements, its files with their checks, the zip and manifest.json, the provenance it was signed with).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("kind", sa.String(8), nullable=False, server_default="video"))
    op.create_table(
        "exports",
        sa.Column("id", sa.String(32), sa.ForeignKey("jobs.id"), primary_key=True),
        sa.Column("creative_id", sa.String(32), nullable=False, index=True),
        sa.Column("placements", sa.JSON(), nullable=False),
        sa.Column("trim", sa.Boolean(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("zip_key", sa.String(300)),
        sa.Column("manifest_key", sa.String(300)),
        sa.Column("provenance", sa.JSON()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exports")
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("kind")
