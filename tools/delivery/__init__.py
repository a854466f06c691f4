"""Delivery: a creative exported to the placements a campaign ships to, each file re-laid by the finisher for its
frame, checked against the placement's specs from the file itself, and signed with content credentials."""
