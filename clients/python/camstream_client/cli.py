"""``python3 -m camstream_client stream|load``: the Java commands' twins, on this package's clients."""
import argparse
import asyncio
import json
import os
import sys
import time
from collections import Counter

import numpy as np

from . import aio
from .client import Client
from .connection import read_token_file
from .errors import CamstreamError, ConnectionLostError, error_type
from . import protocol as p
from .frames import build_explain, target_of


class UsageError(Exception):
    pass


def _connection_options(ap):
    ap.add_argument("--server", default="127.0.0.1:7070", metavar="HOST:PORT", help="default: %(default)s")
    ap.add_argument("--token-file", metavar="FILE", help="send this shared token (first line); CAMSTREAM_TOKEN works too")
    ap.add_argument("--tls", action="store_true", help="connect with TLS, trusting the system's certificate authorities")
    ap.add_argument("--tls-ca", metavar="PEM", help="connect with TLS, trusting this certificate")


def _request_options(ap):
    ap.add_argument("--method", default="gradcam", help="default: %(default)s")
    ap.add_argument("--target", metavar="C|A-B", help="explain this class (3), or a contrast (3-7: why 3 rather than 7; "
                    "needs a server of protocol version 2) (default: the top-1 prediction)")
    ap.add_argument("--topk", type=int, metavar="K", help="explain the K best classes")
    ap.add_argument("--deadline-ms", type=float, default=0, metavar="MS", help="per-request deadline; 0 for none")
    ap.add_argument("--priority", type=int, default=0, metavar="P", help="0..255, higher first")


def _connection(args):
    host, sep, port = args.server.rpartition(":")
    if not sep or not port.isdigit():
        raise UsageError("--server must be HOST:PORT, got " + args.server)
    if args.token_file:
        if not os.path.isfile(args.token_file):
            raise UsageError("--token-file %s is not a readable file" % args.token_file)
        token = read_token_file(args.token_file)
    else:
        token = os.environ.get("CAMSTREAM_TOKEN", "").strip()
    return dict(host=host, port=int(port), token=token, tls=bool(args.tls or args.tls_ca) or None, tls_ca=args.tls_ca)


def _request(args):
    if args.target is not None and args.topk is not None:
        raise UsageError("give either --target or --topk, not both")
    if args.target is not None:
        try:
            kind, _ = target_of(args.target)
        except ValueError as e:
            raise UsageError("--target: %s" % e) from None
        if kind not in (p.TargetKind.CLASS, p.TargetKind.CONTRAST):
            raise UsageError("--target takes a class (3) or a contrast (3-7); use --topk K for the K best classes")
    if args.topk is not None and args.topk < 1:
        raise UsageError("--topk must be at least 1")
    if not 0 <= args.priority <= 255:
        raise UsageError("--priority must be in 0..255")
    if not 0 <= args.deadline_ms <= 4_000_000:
        raise UsageError("--deadline-ms must be in 0..4000000")
    target = args.target if args.target is not None else ("top%d" % args.topk if args.topk else "top1")
    return dict(method=args.method, target=target, deadline=args.deadline_ms / 1000 if args.deadline_ms else None,
                priority=args.priority)


def _check_against(request, server):
    """Refuses, right after the handshake, a target this server's protocol version cannot carry (as bin/camstream)."""
    kind, _ = target_of(request["target"])
    since = p.TARGET_KIND_SINCE.get(kind, p.MIN_VERSION)
    if since > server.version:
        raise UsageError("--target %s needs protocol version %d; the server speaks version %d (upgrade it)"
                         % (request["target"], since, server.version))


# ------------------------------------------------------------------ load

def synthetic_frame(h, w):
    """Smooth colour gradients plus noise: a frame the model must look at, decoded at no cost (as the Java load)."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 127 // (w + h)], axis=-1) + rng.integers(0, 16, (h, w, 3))
    return img.astype(np.uint8)


class LoadRun:
    """Open-loop load: each stream sends a frame every 1/fps s whether or not earlier ones were answered; latency
    runs from each frame's scheduled send time (no coordinated omission)."""

    def __init__(self, conn, request, streams, fps, seconds, connections, image, result, size, drain):
        self.conn, self.request = conn, request
        self.streams, self.fps, self.seconds = streams, fps, seconds
        self.connections, self.image, self.result, self.size, self.drain = connections, image, result, size, drain
        self.sent = self.answered = self.results = self.lost_connection = 0
        self.latencies, self.queue, self.compute, self.batch = [], 0, 0, 0
        self.errors = Counter()
        self.last_result = None

    def _done(self, fut, intended):
        now = time.monotonic()
        self.answered += 1
        e = fut.exception()
        if e is None:
            r = fut.result()
            self.results += 1
            self.latencies.append(now - intended)
            self.queue += r.queue_micros
            self.compute += r.compute_micros
            self.batch += r.batch_size
            self.last_result = now
        else:
            if isinstance(e, ConnectionLostError):
                self.lost_connection += 1
            self.errors[error_type(e)] += 1

    async def run(self, progress=sys.stderr):
        clients = [await aio.Client.connect(**self.conn, client_name="camstream_client load") for _ in range(self.connections)]
        try:
            server = clients[0].server
            _check_against(self.request, server)
            size = self.size or (server.input_height, server.input_width)
            frame = self.image if self.image is not None else synthetic_frame(server.input_height, server.input_width)
            template = dict(self.request, result=self.result, size=size, color="rgb")
            print("load: %d streams x %.1f fps for %.1f s on %d connection(s) to %s:%d (%s, %s, %s %dx%d maps, %s frames)" % (
                self.streams, self.fps, self.seconds, self.connections, self.conn["host"], self.conn["port"],
                self.request["method"], self.request["target"], self.result.upper(), size[0], size[1],
                "RGB8 %dx%d" % frame.shape[:2] if isinstance(frame, np.ndarray) else "encoded"), file=progress)
            period = 1.0 / self.fps
            self.start = time.monotonic() + 0.05
            stop = self.start + self.seconds

            async def stream(s):
                client = clients[s % len(clients)]
                k = 0
                while True:
                    intended = self.start + period * s / self.streams + k * period
                    if intended >= stop:
                        return
                    delay = intended - time.monotonic()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    self.sent += 1
                    fut = client.send_nowait(build_explain(frame, stream=s, frame=k, **template))
                    fut.add_done_callback(lambda f, t=intended: self._done(f, t))
                    k += 1

            async def report():
                while time.monotonic() < stop:
                    await asyncio.sleep(1.0)
                    print("load: %.0f s, sent %d, answered %d, results %d" % (time.monotonic() - self.start, self.sent,
                                                                              self.answered, self.results), file=progress)

            reporter = asyncio.ensure_future(report())
            await asyncio.gather(*(stream(s) for s in range(self.streams)))
            reporter.cancel()
            until = time.monotonic() + self.drain
            while self.answered < self.sent and time.monotonic() < until:
                await asyncio.sleep(0.005)
        finally:
            for c in clients:
                await c.close(1.0)
        return self.report()

    def report(self):
        seconds = max(self.seconds, (self.last_result - self.start) if self.last_result else 0)
        lat = np.array(self.latencies) * 1000 if self.latencies else None
        pct = (lambda q: float(np.percentile(lat, q))) if lat is not None else (lambda q: float("nan"))
        n = self.results or 1
        return {"streams": self.streams, "fps_per_stream": self.fps, "seconds": seconds, "offered_fps": self.streams * self.fps,
                "sent": self.sent, "results": self.results, "achieved_fps": self.results / seconds if seconds else 0.0,
                "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99), "max_ms": float(lat.max()) if lat is not None else float("nan"),
                "mean_queue_ms": self.queue / n / 1000, "mean_compute_ms": self.compute / n / 1000, "mean_batch": self.batch / n,
                "errors": dict(sorted(self.errors.items())), "lost": self.sent - self.answered + self.lost_connection}


def format_report(r):
    """The Java load's report, line for line."""
    errors = "none" if not r["errors"] else "{" + ", ".join("%s=%d" % kv for kv in r["errors"].items()) + "}"
    return ("offered   %.1f fps (%d streams x %.1f fps), sent %d\n" % (r["offered_fps"], r["streams"], r["fps_per_stream"], r["sent"])
            + "achieved  %.1f fps (%d results in %.1f s)\n" % (r["achieved_fps"], r["results"], r["seconds"])
            + "latency   p50 %.1f ms  p95 %.1f ms  p99 %.1f ms  max %.1f ms\n" % (r["p50_ms"], r["p95_ms"], r["p99_ms"], r["max_ms"])
            + "server    mean queue %.1f ms, mean compute %.1f ms per batch, mean batch %.1f\n" % (
                r["mean_queue_ms"], r["mean_compute_ms"], r["mean_batch"])
            + "errors    %s\nlost      %d\n" % (errors, r["lost"]))


def load_command(args):
    if not args.seconds > 0 or args.drain_seconds < 0:
        raise UsageError("--seconds must be positive and --drain-seconds not negative")
    if args.streams < 1 or not 0 < args.fps <= 10000:
        raise UsageError("--streams must be at least 1 and --fps in (0, 10000]")
    if args.result not in ("float32", "uint8", "jpeg"):
        raise UsageError("--result must be float32, uint8 or jpeg, got " + args.result)
    size = None
    if args.result_size:
        try:
            h, w = (int(v) for v in args.result_size.lower().split("x"))
            size = (h, w)
        except ValueError:
            raise UsageError("--result-size must be HxW, e.g. 128x128, got " + args.result_size) from None
    image = None
    if args.image:
        if not os.path.isfile(args.image):
            raise UsageError("--image %s is not a file" % args.image)
        with open(args.image, "rb") as f:
            image = f.read()
    connections = args.connections or min(args.streams, 16)
    run = LoadRun(_connection(args), _request(args), args.streams, args.fps, args.seconds, connections, image,
                  args.result, size, args.drain_seconds)
    report = asyncio.run(run.run())
    sys.stdout.write(format_report(report))
    if args.json:
        print(json.dumps(report))
    return 0 if report["lost"] == 0 else 1


# ------------------------------------------------------------------ stream

def stream_command(args):
    try:
        import cv2
    except ImportError:
        raise UsageError("stream needs OpenCV to read and write video: pip install opencv-python-headless "
                         "(or apt-get install python3-opencv)") from None
    if args.depth < 1:
        raise UsageError("--depth must be at least 1")
    source = int(args.input) if args.input.isdigit() else args.input
    cap = cv2.VideoCapture(source)
    if not cap.isOpened():
        raise UsageError("cannot open --input %s" % args.input)
    fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
    writer = None
    written = failed = 0
    pending = []
    started = time.monotonic()
    with Client(**_connection(args), client_name="camstream_client stream") as client:
        depth = min(args.depth, client.server.max_in_flight)
        request = _request(args)
        _check_against(request, client.server)

        def finish(item):
            nonlocal writer, written, failed
            frame, fut = item
            try:
                out = fut.result(60).maps[0].image()
            except CamstreamError as e:
                if failed == 0:
                    print("camstream: a frame got no heatmap: %s" % e, file=sys.stderr)
                failed += 1
                out = frame
            if args.output:
                if writer is None:
                    fourcc = cv2.VideoWriter_fourcc(*("MJPG" if args.output.lower().endswith(".avi") else "mp4v"))
                    writer = cv2.VideoWriter(args.output, fourcc, fps, (out.shape[1], out.shape[0]))
                writer.write(out)
            written += 1

        n = 0
        while args.max_frames is None or n < args.max_frames:
            ok, frame = cap.read()
            if not ok:
                break
            payload = frame if args.send == "raw" else cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()
            pending.append((frame, client.explain_async(payload, stream=0, frame=n, result="jpeg",
                                                        size=frame.shape[:2], color="bgr", **request)))
            n += 1
            while len(pending) >= depth:
                finish(pending.pop(0))
        while pending:
            finish(pending.pop(0))
    cap.release()
    if writer is not None:
        writer.release()
    took = time.monotonic() - started
    print("streamed %d frame(s) (%d without a heatmap) in %.1f s, %.1f fps%s" % (
        written, failed, took, written / took if took else 0, " to " + args.output if args.output else ""))
    return 0 if failed == 0 else 1


def parser():
    ap = argparse.ArgumentParser(prog="python3 -m camstream_client", description="camstream client commands")
    sub = ap.add_subparsers(dest="command", required=True)
    s = sub.add_parser("stream", help="explain every frame of a video and write the overlays (needs OpenCV)")
    _connection_options(s)
    _request_options(s)
    s.add_argument("--input", required=True, metavar="VIDEO", help="video file, stream URL, or camera index (0)")
    s.add_argument("--output", metavar="FILE", help="overlay video (.mp4: mp4v, .avi: Motion JPEG)")
    s.add_argument("--depth", type=int, default=8, metavar="N", help="frames in flight at once (default: %(default)s)")
    s.add_argument("--send", choices=("jpeg", "raw"), default="jpeg", help="how frames travel (default: %(default)s)")
    s.add_argument("--max-frames", type=int, metavar="N", help="stop after N frames")
    s.set_defaults(run=stream_command)
    ld = sub.add_parser("load", help="load generator: N streams at F fps for T seconds, with a latency report")
    _connection_options(ld)
    _request_options(ld)
    ld.add_argument("--streams", type=int, default=16, metavar="N", help="concurrent streams (default: %(default)s)")
    ld.add_argument("--fps", type=float, default=25, metavar="F", help="frames per second per stream (default: %(default)s)")
    ld.add_argument("--seconds", type=float, default=30, metavar="T", help="default: %(default)s")
    ld.add_argument("--connections", type=int, metavar="N", help="connections the streams share (default: one per stream, at most 16)")
    ld.add_argument("--image", metavar="FILE", help="send this JPEG/PNG as every frame (default: a synthetic RGB8 frame)")
    ld.add_argument("--result", default="uint8", help="float32, uint8 or jpeg (default: %(default)s)")
    ld.add_argument("--result-size", metavar="HxW", help="size of the returned maps (default: the model's input size)")
    ld.add_argument("--drain-seconds", type=float, default=60, metavar="S",
                    help="after the run, wait at most this long for answers in flight (default: %(default)s)")
    ld.add_argument("--json", action="store_true", help="also print the report as one JSON line")
    ld.set_defaults(run=load_command)
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except (UsageError, CamstreamError, OSError, ValueError) as e:
        print("camstream: error: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
