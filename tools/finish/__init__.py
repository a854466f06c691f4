"""The finisher: draws the ad over any footage, and reframes footage to other formats."""
