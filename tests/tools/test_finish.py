"""The finisher: the brief's copy, the kit's logo, the end card and sound drawn over footage, decoded and read back
the way a viewer would: size, frame rate, length and sound of the file, the words Tesseract reads at each beat,
the logo's colours in its corner, the kit's accent on the button, and the footage untouched where nothing is."""

from __future__ import annotations

import asyncio
import io
import threading
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from campaign.errors import ProviderFailed
from campaign.storage import LocalStorage, UrlSigner
from tests.fakes.brand import brand_job, kit_and_files
from tests.fakes.footage import write_footage
from tests.fakes.listen import bursts, level_db, true_peak_db
from tests.fakes.ocr import needs_tesseract, read_words
from tools.brand import BrandKit, Color
from tools.brand.follow import ATTACHED_LOGO
from tools.brief import AdCopy
from tools.engines.base import Reference
from tools.engines.draft.engine import BrandFiles, Cancelled
from tools.engines.draft.kit import SAFE_MARGINS
from tools.finish.compose import Finished, finish, finish_footage
from tools.finish.cues import card_length

pytestmark = pytest.mark.render

COPY = AdCopy(sale="Winter sale", headline="Warm starts here", tagline="Layers for every city",
              features=["Recycled wool"], offer="30% off all coats", price="$129",
              conditions=["Free shipping over $50"], code="Use code WARM30", cta="Shop now",
              website="northwind.example", end_text="Stay warm")  # fmt: skip
ORANGE = (255, 90, 31)  # the ring of the kit's logo (tests/fakes/brand.py)
TEAL = (0, 194, 168)  # the "dark" kit's accent


def luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG relative luminance of sRGB pixels (..., 3)."""
    c = rgb / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4) @ np.array([0.2126, 0.7152, 0.0722])


def frames_of(path: Path) -> tuple[list[np.ndarray], float, float, bool]:
    """Every frame (RGB), the frame rate, the length in seconds, and whether there is sound."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        rate = float(video.average_rate or 0)
        sound = bool(container.streams.audio)
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video)]
    return frames, rate, len(frames) / rate, sound


def at(frames: list[np.ndarray], rate: float, t: float) -> Image.Image:
    return Image.fromarray(frames[min(len(frames) - 1, round(t * rate))])


def words_on(image: Image.Image) -> set[str]:
    return read_words(image.resize((image.width * 2, image.height * 2), Image.Resampling.LANCZOS))


def button_words(image: Image.Image, colour: tuple[int, int, int]) -> set[str]:
    """The words on the button of `colour`, read inside the pill (Tesseract reads nothing with its round ends)."""
    fill = np.abs(np.asarray(image).astype(int) - np.array(colour)).max(axis=2) < 40
    ys, xs = np.nonzero(fill)
    assert len(ys), "no button of that colour"
    h = ys.max() - ys.min()
    inside = image.crop((xs.min() + h // 2, ys.min() + 4, xs.max() - h // 2, ys.max() - 4))
    return words_on(inside)


def safe_box(width: int, height: int, aspect: str) -> tuple[int, int, int, int]:
    left, top, right, bottom = SAFE_MARGINS[aspect]
    return round(width * left), round(height * top), round(width * (1 - right)), round(height * (1 - bottom))


@pytest.fixture(scope="module")
def vertical(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """5 s of 360x640 footage at 10 fps with sound."""
    return write_footage(tmp_path_factory.mktemp("footage") / "v.mp4", 360, 640, 5.0, 10).path


@pytest.fixture(scope="module")
def silent(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_footage(tmp_path_factory.mktemp("footage") / "s.mp4", 360, 640, 3.0, 10, audio=False).path


@pytest.fixture(scope="module")
def finished(vertical: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Finished]:
    kit, files = kit_and_files("dark")
    dest = tmp_path_factory.mktemp("out") / "ad.mp4"
    return dest, finish(vertical, dest, brand_job(kit, "Winter sale", aspect="9:16", duration=5, copy=COPY), files)


def test_the_ad_has_the_footages_size_rate_length_and_sound(vertical: Path, finished: tuple[Path, Finished]) -> None:
    dest, result = finished
    source, src_rate, src_length, _ = frames_of(vertical)
    frames, rate, length, sound = frames_of(dest)
    assert frames[0].shape == source[0].shape == (640, 360, 3)
    assert (result.width, result.height, result.frames) == (360, 640, len(source))
    assert rate == src_rate == result.fps == 10
    assert length == pytest.approx(src_length)
    assert sound and result.audio
    samples = decoded_sound(dest)  # the footage's own tone, not a music bed, at the social loudness
    second = samples[:48000, 0]  # 1 s at 48 kHz: the spectrum's bins are 1 Hz apart
    assert abs(int(np.argmax(np.abs(np.fft.rfft(second)))) - 440) < 5
    assert loudness(samples) == pytest.approx(-14.0, abs=1.0) and true_peak_db(samples) <= -1.0
    assert result.sound is not None and result.sound.music is None and result.sound.lufs == pytest.approx(-14, abs=0.1)


def decoded_sound(path: Path) -> np.ndarray:
    """The file's sound, (n, channels) at 48 kHz."""
    with av.open(str(path)) as container:
        return np.concatenate([f.to_ndarray() for f in container.decode(container.streams.audio[0])], axis=1).T


def loudness(samples: np.ndarray) -> float:
    import pyloudnorm  # here, not at the top: it imports scipy.signal, which every worker's collection paid

    return float(pyloudnorm.Meter(48000).integrated_loudness(samples.astype(np.float64)))


def test_no_music_and_a_voice_over_silent_footage_is_the_voice_alone(silent: Path, tmp_path: Path) -> None:
    job = brand_job(None, "Sale", aspect="9:16", duration=3, copy=AdCopy(headline="Big sale"))
    job.audio, job.sound.music, job.speech = True, False, bursts(3, ((0.3, 1.2), (1.9, 2.6)))
    result = finish(silent, tmp_path / "ad.mp4", job)
    samples = decoded_sound(tmp_path / "ad.mp4")
    assert level_db(samples, 1.4, 1.7) < -70 and level_db(samples, 0.5, 1.0) > -30  # silent between its lines
    assert loudness(samples) == pytest.approx(-14.0, abs=1.0)
    assert result.sound is not None and result.sound.music is None and result.sound.voice == "test"


@needs_tesseract
def test_the_copy_is_read_at_its_beats(finished: tuple[Path, Finished]) -> None:
    frames, rate, length, _ = frames_of(finished[0])
    assert {"warm", "starts", "here"} <= words_on(at(frames, rate, 0.9))  # the hook first
    middle = words_on(at(frames, rate, 2.8))
    assert {"$129", "off", "coats"} <= middle  # the deal in the middle
    assert "shop" not in middle and "northwind.example" not in middle
    end = at(frames, rate, length - 0.1)
    assert {"northwind.example", "stay", "warm", "$129"} <= words_on(end)  # the end card
    assert {"shop", "now"} <= button_words(end, TEAL)


def test_words_stay_in_the_safe_area_and_the_logo_in_its_corner(finished: tuple[Path, Finished]) -> None:
    dest, result = finished
    x0, y0, x1, y1 = safe_box(360, 640, "9:16")
    assert result.text_boxes
    for box in result.text_boxes:
        assert x0 <= box[0] < box[2] <= x1 and y0 <= box[1] < box[3] <= y1, box
    frames, rate, _, _ = frames_of(dest)
    corner = np.asarray(at(frames, rate, 1.0))[y0 : y0 + 40, x0 : x0 + 90].astype(int)
    ring = (np.abs(corner - np.array(ORANGE)).max(axis=2) < 50).sum()
    assert ring > 15, "the logo's orange ring is in the top-left corner"
    footage = (corner[..., 2] > corner[..., 0] + 20) & (corner.max(axis=2) < 170)  # the dark blue-green ground
    assert footage.mean() > 0.3, "the transparent logo stands on the footage, not on a card"


def test_the_kits_accent_is_the_buttons_colour(silent: Path, tmp_path: Path) -> None:
    kit = BrandKit(colors=[Color(hex="#101418", role="background"), Color(hex="#FFFFFF", role="text"),
                           Color(hex="#E0201B", role="accent")])  # fmt: skip
    job = brand_job(kit, "Sale", aspect="9:16", duration=3, copy=AdCopy(headline="Big sale", cta="Buy today"))
    result = finish(silent, tmp_path / "ad.mp4", job, BrandFiles())
    frames, _, _, _ = frames_of(tmp_path / "ad.mp4")
    last = frames[-1].astype(int)
    red = np.abs(last - np.array((224, 32, 27))).max(axis=2) < 40
    assert red.sum() > 1500, "the call to action is a button in the kit's red"
    assert not (np.abs(frames[0].astype(int) - np.array((224, 32, 27))).max(axis=2) < 40).any()
    assert result.audio is False  # no sound asked, no template, none in the footage


def test_silent_footage_gets_the_music_bed_when_sound_is_asked(silent: Path, tmp_path: Path) -> None:
    job = brand_job(None, "Sale", aspect="9:16", duration=3, copy=AdCopy(headline="Big sale"))
    job.audio = True
    result = finish(silent, tmp_path / "ad.mp4", job)
    _, _, length, sound = frames_of(tmp_path / "ad.mp4")
    assert sound and result.audio
    with av.open(str(tmp_path / "ad.mp4")) as container:
        audio = container.streams.audio[0]
        seconds = float(audio.duration * audio.time_base)
        loud = max(float(np.abs(f.to_ndarray()).max()) for f in container.decode(audio))
    assert seconds == pytest.approx(length, abs=0.1) and loud > 0.05


def test_empty_copy_leaves_the_footage_as_it_was(silent: Path, tmp_path: Path) -> None:
    source, _, _, _ = frames_of(silent)
    plain = finish(silent, tmp_path / "plain.mp4", brand_job(None, "", aspect="9:16", duration=3, copy=AdCopy()))
    frames, _, _, _ = frames_of(tmp_path / "plain.mp4")
    assert plain.text_boxes == set() and len(frames) == len(source)
    for a, b in zip(source, frames, strict=True):
        diff = np.abs(a.astype(int) - b.astype(int))
        assert diff.mean() < 3 and np.percentile(diff, 99.9) < 40
    # With a kit's logo: the logo in its corner, the rest of the frame still the footage.
    kit, files = kit_and_files("dark")
    job = brand_job(kit, "", aspect="9:16", duration=3)
    job.copy = AdCopy()  # not even the kit's call to action and website
    logo = finish(silent, tmp_path / "logo.mp4", job, files)
    frames, _, _, _ = frames_of(tmp_path / "logo.mp4")
    x0, y0, _, _ = safe_box(360, 640, "9:16")
    assert logo.text_boxes == set()
    for a, b in zip(source[6:], frames[6:], strict=True):  # the logo has faded in
        diff = np.abs(a.astype(int) - b.astype(int))
        corner = b[y0 : y0 + 40, x0 : x0 + 90].astype(int)
        assert (np.abs(corner - np.array(ORANGE)).max(axis=2) < 50).sum() > 15  # the logo
        diff[y0 - 4 : y0 + 40, x0 - 4 : x0 + 90] = 0
        assert diff.mean() < 3 and np.percentile(diff, 99.9) < 40


def test_cancelling_stops_and_leaves_no_file(vertical: Path, tmp_path: Path) -> None:
    cancel = threading.Event()
    dest = tmp_path / "ad.mp4"
    job = brand_job(None, "Sale", aspect="9:16", duration=5, copy=COPY)
    with pytest.raises(Cancelled):
        finish(vertical, dest, job, report=lambda fraction, note: cancel.set(), cancel=cancel)
    assert not dest.exists()


def test_footage_that_does_not_decode_is_refused_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "footage.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    dest = tmp_path / "ad.mp4"
    with pytest.raises(ProviderFailed) as caught:
        finish(bad, dest, brand_job(None, "Sale", aspect="9:16", duration=3, copy=COPY))
    assert "could not be finished" in str(caught.value) and "footage" in str(caught.value)
    assert not dest.exists()


def test_finish_footage_reports_progress_and_reads_the_kit(silent: Path, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store", UrlSigner(b"k" * 32, "http://test"))
    kit, files = kit_and_files("dark")

    async def run() -> tuple[Finished, list[float]]:
        assert kit.logo and kit.logo_light and files.logo and files.logo_light
        await storage.put(kit.logo, files.logo, "image/png")
        await storage.put(kit.logo_light, files.logo_light, "image/png")
        seen: list[float] = []

        async def progress(fraction: float, note: str) -> None:
            seen.append(fraction)

        job = brand_job(kit, "Sale", aspect="9:16", duration=3, copy=COPY)
        return await finish_footage(storage, job, silent, tmp_path / "ad.mp4", progress), seen

    result, seen = asyncio.run(run())
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen) and len(seen) > 4
    frames, rate, _, _ = frames_of(tmp_path / "ad.mp4")
    x0, y0, _, _ = safe_box(360, 640, "9:16")
    corner = np.asarray(at(frames, rate, 1.0))[y0 : y0 + 40, x0 : x0 + 90].astype(int)
    assert (np.abs(corner - np.array(ORANGE)).max(axis=2) < 50).sum() > 15  # the kit's logo, read from storage
    assert result.frames == len(frames)


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_full_hd_footage_keeps_its_frame(size: tuple[int, int], tmp_path: Path) -> None:
    w, h = size
    footage = write_footage(tmp_path / "hd.mp4", w, h, 2.0, 6, audio=False).path
    job = brand_job(None, "Sale", aspect="9:16", duration=2, copy=COPY)  # asked vertical: laid out for the footage
    result = finish(footage, tmp_path / "ad.mp4", job)
    frames, rate, _, _ = frames_of(tmp_path / "ad.mp4")
    assert frames[0].shape == (h, w, 3) and (result.width, result.height) == (w, h) and rate == 6
    x0, y0, x1, y1 = safe_box(w, h, "16:9" if w > h else "9:16")
    assert result.text_boxes
    assert all(x0 <= b[0] < b[2] <= x1 and y0 <= b[1] < b[3] <= y1 for b in result.text_boxes)


def bright_footage(path: Path, seconds: float = 3.0, fps: int = 10, dark_until: float = 0.0) -> Path:
    """Nearly white footage with light noise (nearly black before `dark_until` seconds): words in a light ink would
    vanish on it without their plate."""
    rng = np.random.default_rng(3)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 360, 640, "yuv420p"
        for i in range(round(seconds * fps)):
            low = 0 if i < dark_until * fps else 215
            rgb = rng.integers(low, low + 41, (640, 360, 3), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = i
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


@needs_tesseract
@pytest.mark.parametrize("dark_until", [0.0, 0.5], ids=["white", "white after the words came in over black"])
def test_light_words_read_over_white_footage(tmp_path: Path, dark_until: float) -> None:
    """Light words over white footage; also when the footage turns white after they came in over black (the plate
    is made when they first show: it must not be as clear as black footage would allow)."""
    kit, files = kit_and_files("dark")  # light ink on a dark background
    footage = bright_footage(tmp_path / "white.mp4", dark_until=dark_until)
    copy = AdCopy(headline="Warm starts here", cta="Shop now", website="northwind.example")
    finish(footage, tmp_path / "ad.mp4", brand_job(kit, "Sale", aspect="9:16", duration=3, copy=copy), files)
    frames, rate, length, _ = frames_of(tmp_path / "ad.mp4")
    assert "northwind.example" in words_on(at(frames, rate, length - 0.1))
    # The headline's plate: where the frame is far darker than the footage; the lightest pixels on it are glyphs.
    image = at(frames, rate, 1.0)
    frame = np.asarray(image).astype(float)
    source, _, _, _ = frames_of(footage)
    drawn = (np.asarray(at(source, rate, 1.0)).astype(float) - frame).mean(axis=2) > 40
    drawn[: 640 // 3] = False  # the headline, not the logo
    ys, xs = np.nonzero(drawn)
    assert {"warm", "starts", "here"} <= words_on(image.crop((xs.min(), ys.min(), xs.max(), ys.max())))
    lum = luminance(frame[ys.min() + 6 : ys.max() - 6, xs.min() + 6 : xs.max() - 6])  # inside the plate's edge
    plate, glyphs = np.percentile(lum, 30), np.percentile(lum, 99)
    assert (glyphs + 0.05) / (plate + 0.05) >= 7.0  # AAA: a glance reads it


def test_an_attached_logo_takes_the_kits_place(silent: Path, tmp_path: Path) -> None:
    ring = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    ImageDraw.Draw(ring).ellipse((0, 0, 399, 399), outline=(230, 20, 230, 255), width=90)
    attached = io.BytesIO()
    ring.save(attached, "PNG")
    kit, files = kit_and_files("dark")
    job = brand_job(kit, "Sale", aspect="9:16", duration=3, copy=AdCopy(headline="Big sale"))
    result = finish(silent, tmp_path / "ad.mp4", job, files, references=[attached.getvalue()])
    assert result.notice == ATTACHED_LOGO
    frames, rate, _, _ = frames_of(tmp_path / "ad.mp4")
    x0, y0, _, _ = safe_box(360, 640, "9:16")
    corner = np.asarray(at(frames, rate, 1.0))[y0 : y0 + 40, x0 : x0 + 90].astype(int)
    assert (np.abs(corner - np.array((230, 20, 230))).max(axis=2) < 50).sum() > 15  # the attached ring
    assert (np.abs(corner - np.array(ORANGE)).max(axis=2) < 50).sum() == 0  # not the kit's


def test_cancelling_finish_footage_removes_the_file(vertical: Path, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store", UrlSigner(b"k" * 32, "http://test"))
    dest = tmp_path / "ad.mp4"

    async def run() -> None:
        started = asyncio.Event()

        async def progress(fraction: float, note: str) -> None:
            if fraction > 0.02:
                started.set()

        job = brand_job(None, "Sale", aspect="9:16", duration=5, copy=COPY)
        task = asyncio.ensure_future(finish_footage(storage, job, vertical, dest, progress))
        await started.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(run())
    assert not dest.exists()


def test_the_end_card_takes_a_quarter_at_least_two_seconds_never_more_than_half() -> None:
    assert card_length(20.0) == 5.0
    assert card_length(6.0) == 2.0
    assert card_length(3.0) == 1.5


def test_a_reference_that_cannot_be_read_stops_finishing_with_its_stage(silent: Path, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "store", UrlSigner(b"k" * 32, "http://test"))
    job = brand_job(None, "Sale", aspect="9:16", duration=3, copy=COPY)
    job.references = [Reference(key="refs/gone.png", content_type="image/png", width=400, height=400)]

    async def progress(fraction: float, note: str) -> None:
        return None

    with pytest.raises(ProviderFailed) as caught:
        asyncio.run(finish_footage(storage, job, silent, tmp_path / "ad.mp4", progress))
    assert "could not be finished" in str(caught.value) and "reference image" in str(caught.value)
    assert not (tmp_path / "ad.mp4").exists()
