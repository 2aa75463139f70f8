"""Server shutdown mid-stream (over TLS): GOODBYE, every request answered once (or known unprocessed), then reconnection."""
import socket
import ssl
import threading
import time

import camstream_client as cc
from camstream_client import protocol as p
from conftest import TLS_CA, TOKEN, read


def explain_frame(request_id, method, target_kind, target_value, png):
    return p.encode(p.Explain(request_id, 0, request_id, method, target_kind, target_value, 0, 0, p.ResultForm.UINT8, 8, 8,
                              p.PayloadFormat.PNG, 0, 0, png))


def test_shutdown_mid_stream(doomed_server, demo_images):
    server = doomed_server
    port = server.port
    img = demo_images[0].read_bytes()
    client = cc.Client("127.0.0.1", port, token=TOKEN, tls_ca=TLS_CA, reconnect=False)
    outcomes, futures, lock = [], [], threading.Lock()
    stop = threading.Event()

    def record(f):
        with lock:
            outcomes.append(f.exception() or f.result())

    def sender():
        i = 0
        while not stop.is_set():
            if client.in_flight() >= 12:
                time.sleep(0.002)
                continue
            f = client.explain_async(img, frame=i, result="uint8", size=(16, 16))
            i += 1
            if f.done() and isinstance(f.exception(), cc.NotConnectedError):
                break  # the GOODBYE came: no new requests on this connection
            futures.append(f)
            f.add_done_callback(record)

    t = threading.Thread(target=sender)
    try:
        t.start()
        deadline = time.monotonic() + 60
        while sum(isinstance(o, cc.Result) for o in list(outcomes)) < 20 and time.monotonic() < deadline:
            time.sleep(0.01)
        # a second connection keeps slow requests in flight (8 Score-CAM top-5: seconds of compute, longer than the
        # 3 s drain), so it is still open after the GOODBYE and a request sent then must be answered SHUTTING_DOWN
        tls = ssl.create_default_context(cafile=TLS_CA)
        raw = tls.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=30), server_hostname="127.0.0.1")
        raw.sendall(p.encode(p.Hello(token=TOKEN, client_name="raw")))
        assert isinstance(read(raw), p.HelloOk)
        raw.sendall(b"".join(explain_frame(i, "scorecam", p.TargetKind.TOPK, 5, img) for i in range(1, 9)))
        time.sleep(0.3)
        server.terminate()
        raw_answers, goodbye = {}, False
        while True:
            m = read(raw)
            if m is None:
                break
            if isinstance(m, p.Goodbye) and not goodbye:
                goodbye = True
                raw.sendall(explain_frame(9, "gradcam", p.TargetKind.TOP1, 0, img))
            elif isinstance(m, (p.Result, p.Error)):
                assert m.request_id not in raw_answers, "two answers for one request"
                raw_answers[m.request_id] = m
        raw.close()
        assert goodbye
        assert sorted(raw_answers) == list(range(1, 10))
        assert isinstance(raw_answers[9], p.Error) and raw_answers[9].code == 0x0202, raw_answers[9]
        assert all(isinstance(m, p.Result) or m.code == 0x0202 for m in raw_answers.values())
        t.join(60)
        assert not t.is_alive()
        server.proc.wait(60)
        for f in futures:
            f.exception(30)
        assert len(outcomes) == len(futures), "each request has exactly one outcome"
        kinds = {type(o).__name__ for o in outcomes}
        assert kinds <= {"Result", "ShuttingDownError", "ConnectionLostError"}, kinds
        assert sum(isinstance(o, cc.Result) for o in outcomes) >= 20
        lost = [o for o in outcomes if isinstance(o, cc.ConnectionLostError)]
        assert all(o.processed is False for o in lost), [str(o) for o in lost]
        assert not client.connected

        client.close()
    finally:
        stop.set()
        server.stop()


def test_reconnects_with_backoff_after_losing_the_connection(server, demo_images):
    img = demo_images[0].read_bytes()
    client = cc.Client("127.0.0.1", server.port, token=TOKEN, reconnect_initial=0.05, reconnect_max=0.5)
    try:
        first = client._current
        first.sock.sendall(b"XXXX")  # broken framing: the server answers MALFORMED and closes this connection
        deadline = time.monotonic() + 30
        while (client._current is first or not client.connected) and time.monotonic() < deadline:
            time.sleep(0.02)
        assert client._current is not first and client.connected, "no reconnection within 30 s"
        assert client.explain(img, size=(8, 8)).maps
    finally:
        client.close()
