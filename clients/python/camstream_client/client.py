"""The synchronous client: a socket, a reader thread, and one concurrent.futures.Future per request."""
import collections
import logging
import socket
import ssl as _ssl
import threading
import time
from concurrent.futures import Future

from . import protocol as p
from .connection import (CLIENT_NAME, RequestTable, backoff_delays, handshake_answer, hello, not_connected, outcome,
                         require_version)
from .errors import CamstreamError, ConnectionLostError, LocalError, ProtocolError, ServerError
from .frames import build_explain

log = logging.getLogger("camstream_client")


def _tls_context(tls, ca):
    if tls is None or tls is False:
        return None if ca is None else _ssl.create_default_context(cafile=ca)
    if isinstance(tls, _ssl.SSLContext):
        return tls
    return _ssl.create_default_context(cafile=ca)


class _Connection:
    """One socket after its handshake. Answers are matched to requests by id on the reader thread."""

    def __init__(self, sock, server, max_frame_bytes, on_closed):
        self.sock = sock
        self.server = server
        self.max_frame_bytes = max_frame_bytes
        self.requests = RequestTable(server.max_in_flight)
        # two locks: the reader thread never waits for a send (a send blocked by the server's backpressure must not
        # stop us reading the answers that would release it)
        self.lock = threading.Lock()  # the request table and the connection's state
        self.send_lock = threading.Lock()
        self._pongs = collections.deque()
        self._wake = threading.Event()
        self.pings = {}
        self.goodbye = None  # the server's GOODBYE reason, once it sent one
        self.closed = False
        self.last_read = time.monotonic()
        self._on_closed = on_closed
        self._plain = not isinstance(sock, _ssl.SSLSocket)
        self.reader = threading.Thread(target=self._read_loop, name="camstream-reader", daemon=True)
        self.keepalive = threading.Thread(target=self._keepalive_loop, name="camstream-keepalive", daemon=True)
        self._stop = threading.Event()
        self.reader.start()
        self.keepalive.start()

    # --- sending
    def send(self, m):
        head, tail = p.encode_parts(m)
        if tail is None:
            self.sock.sendall(head)
        elif self._plain:
            bufs = [memoryview(head), memoryview(tail).cast("B")]
            while bufs:
                n = self.sock.sendmsg(bufs)
                while bufs and n >= len(bufs[0]):
                    n -= len(bufs[0])
                    bufs.pop(0)
                if bufs and n:
                    bufs[0] = bufs[0][n:]
        else:
            self.sock.sendall(head)
            self.sock.sendall(tail)

    def submit(self, m, future):
        with self.lock:
            if self.closed:
                raise not_connected("the connection is closed")
            if self.goodbye is not None:
                raise not_connected("the server said GOODBYE (%s); no new requests on this connection" % self.goodbye)
            if isinstance(m, p.Explain):
                require_version(m, self.server)
            m.request_id = self.requests.add(future)
        try:
            with self.send_lock:
                self.send(m)
        except OSError as e:
            with self.lock:
                self.requests.pending.pop(m.request_id, None)
            raise ConnectionLostError("sending failed: %s" % e) from e
        return m.request_id

    # --- reading
    def _read_exact(self, n):
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self.sock.recv_into(view[got:])
            if k == 0:
                raise EOFError("the server closed the connection")
            got += k
            self.last_read = time.monotonic()
        return buf

    def _read_loop(self):
        why = "the server closed the connection"
        try:
            while True:
                header = self._read_exact(p.HEADER_BYTES)
                opcode, rid, length = p.parse_header(header, self.max_frame_bytes)
                body = self._read_exact(length) if length else b""
                try:
                    m = p.decode_body(opcode, rid, body)
                except ProtocolError as e:
                    log.warning("ignoring a frame the server should not have sent: %s", e)
                    continue
                self._dispatch(m)
        except (EOFError, OSError) as e:
            if not self.closed:
                why = str(e) or type(e).__name__
        except ProtocolError as e:
            why = "broken framing from the server: %s" % e
            log.error(why)
        finally:
            self._shutdown(why)

    def _dispatch(self, m):
        if isinstance(m, (p.Result, p.Error)) and m.request_id != 0:
            with self.lock:
                fut = self.requests.take(m.request_id)
            if fut is not None:
                result, err = outcome(m)
                if err is None:
                    fut.set_result(result)
                else:
                    fut.set_exception(err)
            return
        if isinstance(m, p.Error):
            log.warning("server error for the connection: %s (0x%04x) %s", m.name, m.code, m.message)
        elif isinstance(m, p.Ping):
            self._pongs.append(p.Pong(m.request_id, m.opaque))  # sent by the keep-alive thread
            self._wake.set()
        elif isinstance(m, p.Pong):
            fut = self.pings.pop(m.opaque, None)
            if fut is not None:
                fut.set_result(time.monotonic_ns() - m.opaque)
        elif isinstance(m, p.Goodbye):
            with self.lock:
                self.goodbye = m.reason or "no reason given"
            log.info("server said GOODBYE: %s", self.goodbye)
        else:
            log.warning("ignoring %s from the server", m.opcode.name)

    def _keepalive_loop(self):
        heartbeat = max(0.05, self.server.heartbeat_millis / 1000.0)
        idle = max(heartbeat, self.server.idle_timeout_millis / 1000.0)
        while not self._stop.is_set():
            self._wake.wait(heartbeat / 2)
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                while self._pongs:
                    with self.send_lock:
                        self.send(self._pongs.popleft())
            except OSError:
                return
            silent = time.monotonic() - self.last_read
            if silent >= idle:
                log.warning("nothing from the server for %.1f s; closing the connection", silent)
                self._shutdown("no answer from the server for %.1f s" % silent)
                return
            if silent >= heartbeat:
                try:
                    self.ping_async()
                except CamstreamError:
                    return

    def ping_async(self):
        fut = Future()
        opaque = time.monotonic_ns()
        if self.closed:
            raise not_connected("the connection is closed")
        self.pings[opaque] = fut
        try:
            with self.send_lock:
                self.send(p.Ping(0, opaque))
        except OSError as e:
            self.pings.pop(opaque, None)
            raise ConnectionLostError("sending failed: %s" % e) from e
        return fut

    def _shutdown(self, why):
        with self.lock:
            if self.closed:
                return
            self.closed = True
            pending = self.requests.drain()
            goodbye = self.goodbye
        self._stop.set()
        self._wake.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for fut in pending:
            if goodbye is not None:
                err = ConnectionLostError("the server closed the connection after its GOODBYE (%s) without reading this "
                                          "request: it was not processed" % goodbye, processed=False)
            else:
                err = ConnectionLostError("connection lost before the answer: %s" % why)
            fut.set_exception(err)
        for fut in self.pings.values():
            fut.set_exception(ConnectionLostError(why))
        self.pings.clear()
        self._on_closed(self, why)

    def close_gracefully(self, drain):
        """GOODBYE, then wait (at most ``drain`` s) for the answers in flight, then close."""
        try:
            if not self.closed:
                with self.send_lock:
                    self.send(p.Goodbye("client closing"))
        except OSError:
            pass
        until = time.monotonic() + drain
        while time.monotonic() < until:
            with self.lock:
                if self.closed or not self.requests.pending:
                    break
            time.sleep(0.005)
        self._shutdown("closed by the client")


class Client:
    """A pipelined client for one camstream server.

    ``Client(host, port, token=None)`` connects and completes the handshake (raising the server's typed error, e.g.
    ``UnauthenticatedError``, if it refuses). ``explain`` blocks for one answer; ``explain_async`` sends at once and
    returns a ``concurrent.futures.Future``, answered in whatever order the server finishes. After losing the
    connection the client reconnects in the background with exponential backoff and jitter; requests in flight then
    fail with ``ConnectionLostError`` and new ones with ``NotConnectedError`` until it is back.

    ``tls``: True (system CAs), an ``ssl.SSLContext``, or None; ``tls_ca``: a PEM file to trust (implies TLS).
    """

    def __init__(self, host="127.0.0.1", port=7070, token=None, *, tls=None, tls_ca=None, client_name=None,
                 max_frame_bytes=p.DEFAULT_MAX_FRAME, connect_timeout=10.0, reconnect=True, reconnect_initial=0.1,
                 reconnect_max=5.0, max_reconnect_attempts=20, min_version=p.MIN_VERSION, max_version=p.VERSION):
        self.host, self.port = host, port
        self._hello = hello(token, client_name or CLIENT_NAME, max_frame_bytes, min_version, max_version)
        self._tls = _tls_context(tls, tls_ca)
        self._connect_timeout = connect_timeout
        self._reconnect = reconnect
        self._backoff = (reconnect_initial, reconnect_max, max_reconnect_attempts)
        self._closed = False
        self._current = self._connect()

    def _connect(self):
        sock = socket.create_connection((self.host, self.port), timeout=self._connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._tls is not None:
                sock = self._tls.wrap_socket(sock, server_hostname=self.host)
            sock.sendall(p.encode(self._hello))
            header = bytearray()
            while len(header) < p.HEADER_BYTES:
                chunk = sock.recv(p.HEADER_BYTES - len(header))
                if not chunk:
                    raise ConnectionLostError("the server closed the connection during the handshake")
                header += chunk
            opcode, rid, length = p.parse_header(header, self._hello.max_frame_bytes)
            body = bytearray()
            while len(body) < length:
                chunk = sock.recv(length - len(body))
                if not chunk:
                    raise ConnectionLostError("the server closed the connection during the handshake")
                body += chunk
            server = handshake_answer(p.decode_body(opcode, rid, bytes(body)))
            sock.settimeout(None)
        except ConnectionResetError as e:
            sock.close()
            raise ConnectionLostError("the server reset the connection during the handshake") from e
        except BaseException:
            sock.close()
            raise
        return _Connection(sock, server, self._hello.max_frame_bytes, self._connection_closed)

    def _connection_closed(self, conn, why):
        if self._closed or conn is not self._current or not self._reconnect:
            return
        log.warning("connection to %s:%d lost (%s); reconnecting", self.host, self.port, why)
        threading.Thread(target=self._reconnect_loop, name="camstream-reconnect", daemon=True).start()

    def _reconnect_loop(self):
        for attempt, delay in enumerate(backoff_delays(*self._backoff), 1):
            time.sleep(delay)
            if self._closed:
                return
            try:
                conn = self._connect()
            except ServerError as e:
                if not e.retryable:
                    log.error("not reconnecting to %s:%d: %s", self.host, self.port, e)
                    return
            except (OSError, CamstreamError) as e:
                log.debug("reconnect attempt %d failed: %s", attempt, e)
                continue
            else:
                if self._closed:
                    conn.close_gracefully(0)
                    return
                self._current = conn
                log.info("reconnected to %s:%d after %d attempt(s)", self.host, self.port, attempt)
                return
        log.error("giving up reconnecting to %s:%d", self.host, self.port)

    @property
    def server(self):
        """The server's HELLO_OK: input size, classes, layer, methods, window, limits."""
        return self._current.server

    @property
    def connected(self):
        c = self._current
        return not self._closed and not c.closed and c.goodbye is None

    def in_flight(self):
        return len(self._current.requests.pending)

    def stats(self):
        """Answers matched to requests, and answers for ids not in flight (must stay 0), on the current connection."""
        r = self._current.requests
        return {"answers": r.answers, "unexpected_answers": r.unexpected, "in_flight": len(r.pending)}

    def send(self, request):
        """Sends a prepared ``protocol.Explain`` (its request id is assigned here); returns its answer's Future."""
        fut = Future()
        if self._closed:
            fut.set_exception(not_connected("the client is closed"))
            return fut
        try:
            self._current.submit(request, fut)
        except LocalError as e:
            fut.set_exception(e)
        return fut

    def explain_async(self, image, **options):
        """Sends at once; the Future gives a ``Result`` or raises the typed error. Options as ``explain``."""
        return self.send(build_explain(image, **options))

    def explain(self, image, *, timeout=None, **options):
        """Explains one frame and waits for the answer.

        ``method`` ("gradcam"), ``target`` ("top1", "top3", or a class index), ``result`` ("float32", "uint8",
        "jpeg"), ``size`` ((h, w) or None for the frame's size), ``stream``, ``frame`` (echoed), ``deadline`` (s),
        ``priority`` (0-255), ``color`` ("bgr" or "rgb" for uint8 arrays)."""
        return self.explain_async(image, **options).result(timeout)

    def ping(self, timeout=10.0):
        """Round trip time of one PING, in seconds."""
        return self._current.ping_async().result(timeout) / 1e9

    def close(self, drain=5.0):
        """GOODBYE, wait up to ``drain`` s for answers in flight, close. Requests still unanswered fail."""
        if self._closed:
            return
        self._closed = True
        self._current.close_gracefully(drain)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
