"""The footage's own sound: decoded to samples for the finished ad's mix (`footage_audio`), or carried as it is
into footage only reframed (its packets copied unchanged when an MP4 holds its codec, else decoded once and
encoded as AAC)."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from tools.sound.mix import BIT_RATE, CHUNK
from tools.sound.music import SAMPLE_RATE

MP4_AUDIO = {"aac", "mp3", "opus", "alac", "flac", "ac3", "eac3"}  # audio an MP4 holds as it is


def footage_audio(path: Path, duration_s: float) -> np.ndarray | None:
    """The footage's sound as float32 stereo samples at 48 kHz from its video's first frame, `duration_s` long
    (cut, or padded with silence); None when it has no sound."""
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return None
        video = container.streams.video[0] if container.streams.video else None
        start = float(video.start_time * video.time_base) if video and video.start_time and video.time_base else 0.0
        resampler = av.AudioResampler(format="flt", layout="stereo", rate=SAMPLE_RATE)
        chunks, first = [], None
        for frame in container.decode(container.streams.audio[0]):
            if first is None and frame.time is not None:
                first = frame.time
            chunks += [out.to_ndarray().reshape(-1, 2) for out in resampler.resample(frame)]
        chunks += [out.to_ndarray().reshape(-1, 2) for out in resampler.resample(None)]
    n = int(round(duration_s * SAMPLE_RATE))
    out = np.zeros((n, 2), np.float32)
    if not chunks:
        return out
    samples = np.concatenate(chunks)
    at = int(round(((first or 0.0) - start) * SAMPLE_RATE))
    if at < 0:
        samples, at = samples[-at:], 0
    take = max(0, min(n - at, len(samples)))
    out[at : at + take] = samples[:take]
    return out


def mp4_holds(audio: av.AudioStream) -> bool:
    """Whether an MP4 holds this sound as it is."""
    return audio.codec_context.name in MP4_AUDIO


def audio_frames(packet: av.Packet) -> Iterator[av.AudioFrame]:
    for frame in packet.decode():
        if isinstance(frame, av.AudioFrame):
            yield frame


class CopiedSound:
    """One output's sound: the source's packets copied unchanged, or, for a codec an MP4 does not hold (PCM from
    a .mov, Vorbis from a .webm), its decoded frames encoded as AAC."""

    def __init__(self, container: av.container.OutputContainer, audio: av.AudioStream) -> None:
        self.container = container
        self.resampler: av.AudioResampler | None = None
        if mp4_holds(audio):
            self.stream = container.add_stream_from_template(audio)
        else:
            self.stream = container.add_stream("aac", rate=SAMPLE_RATE, layout="stereo")
            self.stream.bit_rate = BIT_RATE
            self.resampler = av.AudioResampler(format="fltp", layout="stereo", rate=SAMPLE_RATE, frame_size=CHUNK)
        self.sent = 0

    def add(self, packet: av.Packet, decoded: list[av.AudioFrame], start: float) -> None:
        """The source's packet (and its frames, decoded once for every output), shifted to the video's start."""
        if self.resampler is None:
            if packet.time_base is not None and packet.dts is not None:
                copy = av.Packet(bytes(packet))  # a copy each: muxing takes the packet's data
                shift = round(start / packet.time_base)
                copy.pts = None if packet.pts is None else packet.pts - shift
                copy.dts = packet.dts - shift
                copy.duration, copy.is_keyframe = packet.duration, packet.is_keyframe
                copy.time_base, copy.stream = packet.time_base, self.stream
                self.container.mux(copy)
            return
        for frame in decoded:
            frame.pts = None  # the resampler counts samples from the first
            for chunk in self.resampler.resample(frame):
                self._encode(chunk)

    def finish(self) -> None:
        if self.resampler is not None:
            for chunk in self.resampler.resample(None):
                self._encode(chunk)
            self.container.mux(self.stream.encode(None))

    def _encode(self, chunk: av.AudioFrame) -> None:
        chunk.pts, chunk.time_base = self.sent, Fraction(1, SAMPLE_RATE)
        self.sent += chunk.samples
        self.container.mux(self.stream.encode(chunk))
