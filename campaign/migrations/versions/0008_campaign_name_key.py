"""Campaign names compared by a key folded in Python, not by the database's lower() (SQLite's folds ASCII only, so
a campaign named "Été 2026" was found once, then never again).

Names kept before differ in a non-ASCII capital only if that bug made them twice: the later one is renamed
"<name> (2)" so both stay reachable.

Revision ID: 0008
Revises: 0007
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"


def _key(name: str) -> str:  # campaign.models.name_key as of this revision
    return unicodedata.normalize("NFKC", name).casefold()


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("name_key", sa.String(800), nullable=True))
    bind = op.get_bind()
    campaigns = sa.table(
        "campaigns", sa.column("id"), sa.column("team_id"), sa.column("name"), sa.column("name_key"),
        sa.column("created_at"),
    )  # fmt: skip
    taken: set[tuple[str, str]] = set()
    rows = bind.execute(sa.select(campaigns.c.id, campaigns.c.team_id, campaigns.c.name).order_by(
        campaigns.c.created_at, campaigns.c.id)).all()  # fmt: skip
    for campaign_id, team_id, name in rows:
        renamed, n = name, 2
        while (team_id, _key(renamed)) in taken:
            renamed, n = f"{name[:190]} ({n})", n + 1
        taken.add((team_id, _key(renamed)))
        bind.execute(
            sa.update(campaigns).where(campaigns.c.id == campaign_id).values(name=renamed, name_key=_key(renamed))
        )
    with op.batch_alter_table("campaigns") as batch:
        batch.alter_column("name_key", existing_type=sa.String(800), nullable=False)
        batch.drop_constraint("uq_campaigns_team_name", type_="unique")
        batch.create_unique_constraint("uq_campaigns_team_name_key", ["team_id", "name_key"])


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint("uq_campaigns_team_name_key", type_="unique")
        batch.create_unique_constraint("uq_campaigns_team_name", ["team_id", "name"])
        batch.drop_column("name_key")
