"""The `draft` engine: a local renderer (Pillow draws, PyAV/libx264 encodes) that needs no provider."""

from __future__ import annotations

import asyncio
import io
import logging
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont, ImageOps

from campaign.errors import ProviderFailed
from campaign.storage import BlobStorage, read_all
from tools.engines.base import Progress, RenderJob, RenderOutcome

log = logging.getLogger(__name__)


class DraftEngine:
    """Renders a motion draft of the brief over its references, on this machine, for free."""

    def __init__(self, storage: BlobStorage) -> None:
        self.storage = storage

    async def render(self, job: RenderJob, dest: Path, progress: Progress) -> RenderOutcome:
        images = []
        for ref in job.references:
            data = await read_all(self.storage, ref.key)
            images.append(data)
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, str]] = asyncio.Queue()

        def report(fraction: float, note: str) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (fraction, note))

        task = asyncio.create_task(asyncio.to_thread(_render, job, images, dest, report))
        await progress(0.0, "Drawing the draft")
        while not task.done():
            getter = asyncio.ensure_future(queue.get())
            await asyncio.wait({task, getter}, return_when=asyncio.FIRST_COMPLETED)
            if getter.done():
                fraction, note = getter.result()
                await progress(fraction, note)
            else:
                getter.cancel()
        try:
            task.result()
        except ProviderFailed:
            raise
        except Exception as exc:
            log.exception("draft render failed")
            hint = "Try again, or try other images."
            raise ProviderFailed("The draft could not be rendered.", hint=hint) from exc
        await progress(1.0, "Draft rendered")
        return RenderOutcome(provider_job_id=None)


def _render(job: RenderJob, raw: list[bytes], dest: Path, report) -> None:
    w, h, fps = job.width, job.height, job.fps
    refs = []
    for data in raw:
        img = ImageOps.exif_transpose(Image.open(io.BytesIO(data)))
        refs.append(img.convert("RGBA"))
    bg = Image.new("RGB", (w, h), (24, 28, 40))
    font = ImageFont.load_default(size=max(24, h // 14))
    total = job.duration_s * fps
    with av.open(str(dest), "w", options={"movflags": "faststart"}) as out:
        stream = out.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "23"}
        stream.time_base = Fraction(1, fps)
        for i in range(total):
            t = i / max(1, total - 1)
            frame = bg.copy()
            if refs:
                ref = refs[min(len(refs) - 1, int(t * len(refs)))]
                scale = min(w * 0.8 / ref.width, h * 0.7 / ref.height) * (1 + 0.08 * t)
                size = (max(1, int(ref.width * scale)), max(1, int(ref.height * scale)))
                im = ref.resize(size, Image.BILINEAR)
                frame.paste(im, ((w - size[0]) // 2, (h - size[1]) // 2), im)
            draw = ImageDraw.Draw(frame)
            text = job.brief.strip()[:60]
            draw.text((w // 2, int(h * 0.9)), text, font=font, fill=(255, 255, 255), anchor="ms")
            vf = av.VideoFrame.from_image(frame)
            vf.pts = i
            for packet in stream.encode(vf):
                out.mux(packet)
            if i % max(1, total // 4) == 0:
                report(i / total, "Rendering frames")
        for packet in stream.encode():
            out.mux(packet)
