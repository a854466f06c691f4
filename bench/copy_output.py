"""Memory benchmark: copy a 500 MB provider output from a local HTTP server into storage.

    .venv/bin/python bench/copy_output.py [--size-mb 500] [--modes naive,local,s3]

The parent process makes the file (a real short H.264 clip followed by a `free` box that pads it to the
size; players and PyAV skip `free` boxes, so it probes and gives a poster like any output), serves it from a
threaded HTTP server on 127.0.0.1, and starts moto's S3 server in-process. Each copy runs in a fresh
subprocess, which reports its RSS just before the copy, the highest RSS a sampler thread saw during it
(every 2 ms), and ru_maxrss after it. The increase is the sampled peak minus the RSS before: what the copy
itself added. (ru_maxrss alone can hide it, when imports peaked higher before the copy started.)

- naive: `httpx.get(url).content`, then `storage.put(bytes)` (the baseline: the whole file in memory)
- local: `store_output(LocalStorage, …, download(url), …)` (streamed to a temp file, probed, stored)
- s3:    the same into `S3Storage` on moto (streamed multipart upload, 8 MiB parts)

The target: streaming raises peak memory by less than 64 MB. Files live in a temp dir, removed at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_MB = 64.0
MiB = 1024 * 1024


def make_output(path: Path, size: int) -> None:
    """A decodable MP4 of exactly `size` bytes: a 2 s clip with moov first, then one big `free` box."""
    import av
    import numpy as np

    clip = path.with_suffix(".clip.mp4")
    with av.open(str(clip), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=24, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
        for i in range(48):
            frame = np.full((360, 640, 3), (i * 5) % 256, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    data = clip.read_bytes()
    clip.unlink()
    pad = size - len(data)
    block = os.urandom(8 * MiB)  # incompressible filler
    with path.open("wb") as out:
        out.write(data)
        out.write((1).to_bytes(4, "big") + b"free" + pad.to_bytes(8, "big"))  # 64-bit box size
        left = pad - 16
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= len(block)
    assert path.stat().st_size == size


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _rss_kb() -> tuple[int, int]:
    """(current RSS, peak RSS so far) in KiB."""
    with open("/proc/self/statm") as fh:
        current = int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def child(mode: str, url: str, work: Path, endpoint: str | None, bucket: str | None) -> dict:
    import httpx

    from campaign.storage import LocalStorage, S3Storage, UrlSigner
    from tools.outputs import download, store_output

    if mode == "s3":
        storage = S3Storage(
            bucket or "",
            endpoint_url=endpoint,
            region="us-east-1",
            access_key_id="bench",
            secret_access_key="bench",
        )
    else:
        storage = LocalStorage(work / "files", UrlSigner(b"k" * 32))
    await storage.exists("warm/up")  # load lazily imported parts before the baseline
    current, before = _rss_kb()
    sampled = [current]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.002):
            sampled.append(_rss_kb()[0])

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    if mode == "naive":
        async with httpx.AsyncClient(trust_env=False, timeout=120) as client:
            body = (await client.get(url)).content
        await storage.put("creatives/bench/video.mp4", body, "video/mp4")
        size = len(body)
        del body
    else:
        out = await store_output(storage, "creatives/bench", download(url, timeout=120), work / "tmp")
        size = out.info.bytes
    seconds = time.perf_counter() - start
    stop.set()
    sampler.join()
    _, peak = _rss_kb()
    return {
        "mode": mode,
        "bytes": size,
        "seconds": seconds,
        "rss_kb": current,
        "sampled_peak_kb": max(sampled),
        "maxrss_before_kb": before,
        "maxrss_after_kb": peak,
    }


def run_child(mode: str, url: str, work: Path, endpoint: str | None, bucket: str | None) -> dict:
    cmd = [sys.executable, __file__, "--child", mode, "--url", url, "--work", str(work)]
    if endpoint:
        cmd += ["--endpoint", endpoint, "--bucket", bucket or ""]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, timeout=900)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--modes", default="naive,local,s3")
    parser.add_argument("--child")
    parser.add_argument("--url")
    parser.add_argument("--work", type=Path)
    parser.add_argument("--endpoint")
    parser.add_argument("--bucket")
    args = parser.parse_args()

    if args.child:
        result = asyncio.run(child(args.child, args.url, args.work, args.endpoint, args.bucket))
        print(json.dumps(result))
        return

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    with tempfile.TemporaryDirectory(prefix="clapboard-bench-") as tmp:
        root = Path(tmp)
        (root / "serve").mkdir()
        size = args.size_mb * 1_000_000
        t0 = time.perf_counter()
        make_output(root / "serve" / "output.mp4", size)
        print(f"made a {size / 1e6:.0f} MB output in {time.perf_counter() - t0:.1f} s")
        server, base = serve(root / "serve")
        moto = endpoint = bucket = None
        if "s3" in modes:
            import logging

            import boto3
            from moto.server import ThreadedMotoServer

            logging.getLogger("werkzeug").setLevel(logging.ERROR)

            moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
            moto.start()
            host, port = moto.get_host_and_port()
            endpoint, bucket = f"http://{host}:{port}", "bench-bucket"
            boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name="us-east-1",
                aws_access_key_id="bench",
                aws_secret_access_key="bench",
            ).create_bucket(Bucket=bucket)
        results = []
        try:
            for mode in modes:
                work = root / f"work-{mode}"
                work.mkdir()
                results.append(run_child(mode, f"{base}/output.mp4", work, endpoint, bucket))
        finally:
            server.shutdown()
            if moto is not None:
                moto.stop()

    print(f"\ncopying a {size / 1e6:.0f} MB output from a local HTTP server into storage (RSS in MiB)")
    print(
        f"{'mode':<6} {'seconds':>7} {'MB/s':>5} {'RSS before':>10} {'peak during':>11} {'increase':>8} "
        f"{'maxrss before/after':>19}  vs naive"
    )
    naive = next((r for r in results if r["mode"] == "naive"), None)
    naive_increase = max(naive["sampled_peak_kb"], naive["maxrss_after_kb"]) - naive["rss_kb"] if naive else 0
    failed = False
    for r in results:
        peak = max(r["sampled_peak_kb"], r["maxrss_after_kb"] if r["maxrss_after_kb"] > r["maxrss_before_kb"] else 0)
        increase = (peak - r["rss_kb"]) / 1024
        ratio = f"{increase * 1024 / naive_increase:.3f}x" if naive_increase else "-"
        verdict = ""
        if r["mode"] != "naive":
            ok = increase < LIMIT_MB
            failed |= not ok
            verdict = f"  {'ok' if ok else 'OVER'} (< {LIMIT_MB:.0f} MB)"
        maxrss = f"{r['maxrss_before_kb'] / 1024:.0f}/{r['maxrss_after_kb'] / 1024:.0f}"
        print(
            f"{r['mode']:<6} {r['seconds']:>7.2f} {r['bytes'] / 1e6 / r['seconds']:>5.0f} "
            f"{r['rss_kb'] / 1024:>10.1f} {peak / 1024:>11.1f} {increase:>8.1f} {maxrss:>19}  "
            f"{ratio}{verdict}"
        )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
