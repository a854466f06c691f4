"""Who canceled a job.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("canceled_by", sa.String(80)))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("canceled_by")
