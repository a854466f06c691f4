"""Sound: the voice-over's script and voices, captions (burned in, SRT and WebVTT), music beds, the mix and its
loudness."""
