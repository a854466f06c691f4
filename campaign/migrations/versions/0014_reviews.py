"""Review and approval: links a reviewer opens without an account (`review_links`, with the creatives each shows),
their comments and decisions (`review_notes`), a creative's `review_status`, and a team's
`exports_need_approval` gate.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"


def upgrade() -> None:
    with op.batch_alter_table("teams") as batch:
        batch.add_column(sa.Column("exports_need_approval", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("creatives") as batch:
        batch.add_column(sa.Column("review_status", sa.String(20), nullable=False, server_default="draft"))
    op.create_table(
        "review_links",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("campaign_id", sa.String(32), sa.ForeignKey("campaigns.id"), nullable=False),
        sa.Column("creative_id", sa.String(32), nullable=False, index=True),
        sa.Column("whole_set", sa.Boolean(), nullable=False),
        sa.Column("label", sa.String(80), nullable=False),
        sa.Column("created_by", sa.String(32)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True)),
        sa.Column("revoked_by", sa.String(32)),
    )
    op.create_table(
        "review_link_creatives",
        sa.Column("link_id", sa.String(32), sa.ForeignKey("review_links.id"), primary_key=True),
        sa.Column("creative_id", sa.String(32), primary_key=True, index=True),
    )
    op.create_table(
        "review_notes",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("creative_id", sa.String(32), nullable=False, index=True),
        sa.Column("link_id", sa.String(32), sa.ForeignKey("review_links.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("at_s", sa.Float()),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )


def downgrade() -> None:
    op.drop_table("review_notes")
    op.drop_table("review_link_creatives")
    op.drop_table("review_links")
    with op.batch_alter_table("creatives") as batch:
        batch.drop_column("review_status")
    with op.batch_alter_table("teams") as batch:
        batch.drop_column("exports_need_approval")
