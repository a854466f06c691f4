"""Brand kits: a team's and each campaign's, versioned (an edit writes the next version); creatives record the
kit versions they followed.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"

TS = sa.DateTime(timezone=True)
TEAM_KIT = sa.text("campaign_id IS NULL")
CAMPAIGN_KIT = sa.text("campaign_id IS NOT NULL")


def upgrade() -> None:
    op.create_table(
        "brand_kits",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("team_id", sa.String(32), sa.ForeignKey("teams.id"), nullable=False, index=True),
        sa.Column("campaign_id", sa.String(32), sa.ForeignKey("campaigns.id")),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kit", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(32)),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("uq_brand_kits_team_version", "brand_kits", ["team_id", "version"], unique=True,
                    sqlite_where=TEAM_KIT, postgresql_where=TEAM_KIT)  # fmt: skip
    op.create_index("uq_brand_kits_campaign_version", "brand_kits", ["team_id", "campaign_id", "version"],
                    unique=True, sqlite_where=CAMPAIGN_KIT, postgresql_where=CAMPAIGN_KIT)  # fmt: skip
    with op.batch_alter_table("creatives") as batch:
        batch.add_column(sa.Column("brand_version", sa.JSON()))


def downgrade() -> None:
    with op.batch_alter_table("creatives") as batch:
        batch.drop_column("brand_version")
    op.drop_table("brand_kits")
