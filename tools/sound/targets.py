"""The loudness every ad is mixed to and the true-peak ceiling it keeps under: numbers alone, so the placements'
table (tools/delivery/placements.py) reads them without loading the mix."""

SOCIAL_LUFS = -14.0  # social and streaming platforms
BROADCAST_LUFS = -23.0  # EBU R 128, for a 16:9 ad made for TV
PEAK_CEILING_DBTP = -1.0  # the true peak every platform asks a file to stay under (EBU R 128's too)
