"""The Python client against a live server with the demo model."""
import json
import socket
import struct

import numpy as np
import pytest

import camstream_client as cc
from camstream_client import protocol as p
from camstream_client.frames import target_of
from conftest import ROOT, TOKEN, java_client_maps, read

VECTORS = ROOT / "docs" / "protocol-vectors"


@pytest.fixture
def client(server):
    c = cc.Client("127.0.0.1", server.port, token=TOKEN)
    yield c
    c.close()


def synthetic_frame(h=96, w=120, seed=3):
    """Smooth colour gradients plus noise, uint8 (H, W, 3)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    img = np.stack([x * 255 // w, y * 255 // h, (x + y) * 127 // (w + h)], axis=-1) + rng.integers(0, 16, (h, w, 3))
    return img.astype(np.uint8)


def test_handshake_reports_the_model(client):
    s = client.server
    assert (s.input_height, s.input_width, s.num_classes, s.layer) == (128, 128, 5, "features.4")
    assert "gradcam" in s.methods and s.max_in_flight == 32
    assert 0 < client.ping() < 5


def test_token_file_trailing_newline_is_not_part_of_the_token(server, tmp_path):
    f = tmp_path / "t"
    f.write_text(TOKEN + "\n")
    assert cc.read_token_file(f) == TOKEN
    with cc.Client("127.0.0.1", server.port, token=cc.read_token_file(f)) as c:
        assert c.server.num_classes == 5
    for wrong in (TOKEN + "\n", "", "nope"):
        with pytest.raises(cc.UnauthenticatedError) as e:
            cc.Client("127.0.0.1", server.port, token=wrong)
        assert e.value.code == 0x0401 and not e.value.retryable


def maps_and_predictions(r):
    preds = [(x.class_index, np.float32(x.probability), x.label) for x in r.predictions]
    return preds, [(m.class_index, np.float32(m.probability), m.form.name) for m in r.maps], np.stack([m.values() for m in r.maps])


def java_reference(out, i):
    lines = (out / ("%d.txt" % i)).read_text().splitlines()
    preds = [(int(c), np.float32(float(pr)), label) for kind, c, pr, label in (l.split(" ", 3) for l in lines) if kind == "prediction"]
    maps = [(int(c), np.float32(float(pr)), form) for kind, c, pr, form in (l.split(" ", 3) for l in lines) if kind == "map"]
    return preds, maps, np.load(out / ("%d.npy" % i))


@pytest.mark.parametrize("method,target,result,size", [("gradcam", "top2", "float32", (64, 80)),
                                                        ("gradcam++", "3", "uint8", (128, 128)),
                                                        ("gradcam", "2-0", "float32", (32, 32))])
def test_maps_equal_the_java_clients(server, client, demo_images, tmp_path, method, target, result, size):
    tensor = np.random.default_rng(1).standard_normal((3, 128, 128)).astype(np.float32)
    npy = tmp_path / "tensor.npy"
    np.save(npy, tensor)
    files = demo_images[:3] + [npy]
    java_client_maps(server.port, method, target, result, size, tmp_path / "java", files)
    for i, f in enumerate(files):
        frame = tensor if f.suffix == ".npy" else f.read_bytes()
        r = client.explain(frame, method=method, target=int(target) if target.isdigit() else target, result=result, size=size)
        preds, maps, values = maps_and_predictions(r)
        jpreds, jmaps, jvalues = java_reference(tmp_path / "java", i)
        assert preds == jpreds and maps == jmaps, f.name
        assert values.shape == (len(jmaps),) + size
        # one request at a time on both sides: batches of one, the same computation, the same bits
        np.testing.assert_array_equal(values, jvalues, err_msg=f.name)


def test_float32_maps_are_views_of_the_received_frame(client, demo_images):
    r = client.explain(demo_images[0].read_bytes(), size=(32, 32))
    h = r.maps[0].heatmap
    assert h.dtype == np.float32 and h.shape == (32, 32) and not h.flags.owndata
    assert 0.0 <= h.min() and h.max() <= 1.0 and h.max() == 1.0


def test_bgr_and_rgb_frames_of_the_same_pixels_give_the_same_answer(client):
    bgr = synthetic_frame()
    a = client.explain(bgr, color="bgr", result="float32")
    b = client.explain(np.ascontiguousarray(bgr[..., ::-1]), color="rgb", result="float32")
    assert a.maps[0].heatmap.shape == (96, 120)  # 0x0: the frame's own size
    assert [x.class_index for x in a.predictions] == [x.class_index for x in b.predictions]
    np.testing.assert_array_equal(a.maps[0].heatmap, b.maps[0].heatmap)


def test_pipelined_requests_are_each_answered_once_with_their_own_echo(client, demo_images):
    images = [f.read_bytes() for f in demo_images]
    futs = {}
    for i in range(30):
        futs[(i % 4, 1000 + i)] = client.explain_async(images[i % len(images)], stream=i % 4, frame=1000 + i,
                                                       target="top1" if i % 2 else "top2", result="uint8", size=(16, 16))
    for (stream, frame), f in futs.items():
        r = f.result(60)
        assert (r.stream_id, r.frame_number) == (stream, frame)
        assert len(r.maps) == (1 if frame % 2 else 2)
    st = client.stats()
    assert st["answers"] == 30 and st["unexpected_answers"] == 0 and st["in_flight"] == 0


def test_window_overflow_fails_locally_without_sending(client, demo_images):
    img = demo_images[0].read_bytes()
    window = client.server.max_in_flight
    futs = [client.explain_async(img, frame=i, result="uint8", size=(8, 8)) for i in range(window + 5)]
    outcomes = []
    for f in futs:
        try:
            outcomes.append(f.result(60))
        except cc.CamstreamError as e:
            outcomes.append(e)
    full = [o for o in outcomes if isinstance(o, cc.WindowFullError)]
    assert len(full) >= 5 and all(o.retryable for o in full)
    # OVERLOADED is possible too: an answer can reach us a moment before the server stops counting its request, and
    # the window slot it freed here may already be reused
    assert all(isinstance(o, (cc.Result, cc.WindowFullError, cc.OverloadedError)) for o in outcomes)
    assert client.stats()["answers"] == len(outcomes) - len(full) and client.stats()["unexpected_answers"] == 0


def raw(port, hello=True, max_version=p.VERSION):
    s = socket.create_connection(("127.0.0.1", port), timeout=20)
    if hello:
        s.sendall(p.encode(p.Hello(max_version=max_version, token=TOKEN, client_name="raw")))
        ok = read(s)
        assert isinstance(ok, p.HelloOk) and ok.version == max_version, ok
    return s


def test_the_server_overflows_a_window_a_client_ignores(server):
    s = raw(server.port)
    n = 32 + 24
    png = (ROOT / "demo" / "images" / "triangle.png").read_bytes()
    frames = b"".join(p.encode(p.Explain(i + 1, 0, i, "gradcam", p.TargetKind.TOP1, 0, 0, 0, p.ResultForm.UINT8, 8, 8,
                                         p.PayloadFormat.PNG, 0, 0, png)) for i in range(n))
    s.sendall(frames)
    answers = {}
    while len(answers) < n:
        m = read(s)
        assert m is not None
        assert m.request_id not in answers, "two answers for one request"
        answers[m.request_id] = m
    s.close()
    overloaded = [m for m in answers.values() if isinstance(m, p.Error)]
    assert overloaded and all(m.code == 0x0201 for m in overloaded)
    assert len(overloaded) <= n - 32 and len(answers) == n


@pytest.mark.parametrize("options,error", [
    (dict(method="no-such-method"), cc.InvalidError),
    (dict(target=99), cc.InvalidError),                      # class out of range
    (dict(target=(p.TargetKind.TOP1, 7)), cc.InvalidError),  # TOP1 takes 0
    (dict(size=(5000, 5000)), cc.InvalidError),              # at most 4096 per side
    (dict(size=(0, 32)), cc.InvalidError),
    (dict(deadline=1e-6), cc.DeadlineExceededError),         # 1 us runs out before any decode
])
def test_typed_errors_for_bad_requests(client, demo_images, options, error):
    with pytest.raises(error) as e:
        client.explain(demo_images[0].read_bytes(), **options)
    assert not e.value.retryable
    assert client.explain(demo_images[0].read_bytes(), size=(8, 8)).maps  # the connection stays usable


def test_typed_errors_for_bad_payloads(client):
    with pytest.raises(cc.InvalidError):
        client.explain(np.zeros((3, 2, 2), np.float32))  # not the model's input size
    with pytest.raises(cc.InvalidError):
        client.explain(b"\x89PNG\r\n\x1a\n" + b"not really a png")
    with pytest.raises(ValueError):
        client.explain(b"GIF89a")  # refused before sending: not JPEG/PNG


def test_unsupported_version(server):
    for lo, hi in ((3, 4), (2, 1)):
        with pytest.raises(cc.UnsupportedVersionError):
            cc.Client("127.0.0.1", server.port, token=TOKEN, min_version=lo, max_version=hi)


def test_contrast_needs_version_2_and_a_version_1_client_still_works(server, demo_images):
    png = demo_images[0].read_bytes()
    with cc.Client("127.0.0.1", server.port, token=TOKEN, max_version=1) as old:
        assert old.server.version == 1
        assert old.explain(png, target=3).maps[0].class_index == 3
        with pytest.raises(cc.VersionTooOldError) as e:
            old.explain(png, target="3-1")  # refused here: a version-1 connection has no CONTRAST
        assert not e.value.retryable
    with cc.Client("127.0.0.1", server.port, token=TOKEN) as new:
        assert new.server.version == p.VERSION == 2
        r = new.explain(png, target="3-1")
        assert [m.class_index for m in r.maps] == [3]
        with pytest.raises(cc.InvalidError):
            new.explain(png, target=(p.TargetKind.CONTRAST, 3 | 3 << 16))  # A == B: the server says INVALID
    for bad in ("3-3", "3-", "-3", "70000-1"):
        with pytest.raises(ValueError):
            target_of(bad)


def test_local_errors(server, demo_images):
    c = cc.Client("127.0.0.1", server.port, token=TOKEN)
    c.close()
    with pytest.raises(cc.NotConnectedError):
        c.explain(demo_images[0].read_bytes())


def vector_names():
    return json.loads((VECTORS / "index.json").read_text())


@pytest.mark.parametrize("name", [n for n in vector_names() if "serverAnswer" in json.loads((VECTORS / (n + ".json")).read_text())
                                  or (json.loads((VECTORS / (n + ".json")).read_text()).get("decodeError")
                                      and json.loads((VECTORS / (n + ".json")).read_text())["direction"] != "server-to-client")])
def test_the_server_answers_the_vectors_as_they_say(server, name):
    d = json.loads((VECTORS / (name + ".json")).read_text())
    want = d.get("serverAnswer") or d["decodeError"]
    data = (VECTORS / d["file"]).read_bytes()
    if d.get("message", {}).get("type") == "HELLO":
        # the vectors' HELLOs carry no token and this server wants one: the same HELLO with the token, so that
        # what is refused is what the vector is about (the server checks the version, then the token, then limits)
        m = p.decode_frame(data, p.HANDSHAKE_FRAME_LIMIT)
        m.token = TOKEN
        data = p.encode(m)
    s = raw(server.port, hello=d["context"] != "first-frame", max_version=1 if d["context"] == "after-handshake-v1" else p.VERSION)
    try:
        s.sendall(data)
        m = read(s)
        assert isinstance(m, p.Error), m
        assert (m.code, m.request_id) == (want["codeValue"], want["requestId"]), m.message
        try:
            s.sendall(p.encode(p.Ping(99, 5)))
            after = read(s)
        except OSError:
            after = None
        assert isinstance(after, p.Pong) != want["closesConnection"], after
    finally:
        s.close()


def test_load_command_reports_like_the_java_one(server, tmp_path):
    import subprocess
    import sys
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    out = subprocess.run([sys.executable, "-m", "camstream_client", "load", "--server", "127.0.0.1:%d" % server.port,
                          "--token-file", str(token), "--streams", "3", "--fps", "8", "--seconds", "1.5", "--json"],
                         cwd=ROOT / "clients" / "python", capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert [l.split()[0] for l in lines[:6]] == ["offered", "achieved", "latency", "server", "errors", "lost"]
    report = json.loads(lines[-1])
    assert report["sent"] == 3 * 12 and report["results"] == report["sent"] and report["lost"] == 0
    assert report["errors"] == {} and 0 < report["p50_ms"] <= report["max_ms"]


def test_commands_report_bad_options_as_errors(server):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "camstream_client", "load", "--server", "nonsense", "--seconds", "1"],
                         cwd=ROOT / "clients" / "python", capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and out.stderr.startswith("camstream: error: --server must be HOST:PORT")


def test_stream_command_writes_an_overlay_video(server, tmp_path):
    cv2 = pytest.importorskip("cv2", reason="stream needs OpenCV (optional); the CI image does not install it")
    import subprocess
    import sys
    src = tmp_path / "in.avi"
    w = cv2.VideoWriter(str(src), cv2.VideoWriter_fourcc(*"MJPG"), 10, (120, 96))
    for i in range(12):
        w.write(synthetic_frame(seed=i))
    w.release()
    token = tmp_path / "token"
    token.write_text(TOKEN + "\n")
    out = tmp_path / "out.avi"
    r = subprocess.run([sys.executable, "-m", "camstream_client", "stream", "--server", "127.0.0.1:%d" % server.port,
                        "--token-file", str(token), "--input", str(src), "--output", str(out), "--depth", "4"],
                       cwd=ROOT / "clients" / "python", capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("streamed 12 frame(s) (0 without a heatmap)")
    cap = cv2.VideoCapture(str(out))
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(f)
    assert len(frames) == 12 and frames[0].shape == (96, 120, 3)
