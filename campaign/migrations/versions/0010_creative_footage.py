"""A paid model's raw footage is kept beside its creative (`creatives.footage_key`), so other formats are
reframed from it for free; a draft draws its own shots and has none.

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    with op.batch_alter_table("creatives") as batch:
        batch.add_column(sa.Column("footage_key", sa.String(300)))


def downgrade() -> None:
    with op.batch_alter_table("creatives") as batch:
        batch.drop_column("footage_key")
