"""A creative's sound (`creatives.sound`: voice, timed lines, music bed, loudness, caption files) and a job's
voice prediction (`jobs.voice_prediction_id`), committed before it is waited on so a restarted job re-attaches
to it instead of paying for another.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    with op.batch_alter_table("creatives") as batch:
        batch.add_column(sa.Column("sound", sa.JSON()))
    with op.batch_alter_table("jobs") as batch:
        batch.add_column(sa.Column("voice_prediction_id", sa.String(120)))


def downgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        batch.drop_column("voice_prediction_id")
    with op.batch_alter_table("creatives") as batch:
        batch.drop_column("sound")
