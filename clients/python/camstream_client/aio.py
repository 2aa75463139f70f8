"""The asyncio client: ``await client.explain(frame)``; any number of coroutines share one pipelined connection."""
import asyncio
import logging
import ssl as _ssl
import time

from . import protocol as p
from .connection import CLIENT_NAME, RequestTable, backoff_delays, handshake_answer, hello, not_connected, outcome, require_version
from .errors import CamstreamError, ConnectionLostError, LocalError, ProtocolError, ServerError
from .frames import build_explain

log = logging.getLogger("camstream_client.aio")


class Client:
    """Asyncio twin of ``camstream_client.Client``: ``client = await Client.connect(host, port, token)``, then
    ``await client.explain(frame, ...)`` (same options) or ``client.explain_nowait(...)`` for a future. Answers are
    matched to requests by id on one reader task; reconnects with backoff after losing the connection."""

    def __init__(self, host, port, token=None, *, tls=None, tls_ca=None, client_name=None,
                 max_frame_bytes=p.DEFAULT_MAX_FRAME, connect_timeout=10.0, reconnect=True, reconnect_initial=0.1,
                 reconnect_max=5.0, max_reconnect_attempts=20, min_version=p.MIN_VERSION, max_version=p.VERSION):
        self.host, self.port = host, port
        self._hello = hello(token, client_name or CLIENT_NAME, max_frame_bytes, min_version, max_version)
        if isinstance(tls, _ssl.SSLContext):
            self._tls = tls
        elif tls or tls_ca:
            self._tls = _ssl.create_default_context(cafile=tls_ca)
        else:
            self._tls = None
        self._connect_timeout = connect_timeout
        self._reconnect = reconnect
        self._backoff = (reconnect_initial, reconnect_max, max_reconnect_attempts)
        self._closed = False
        self.server = None
        self._writer = None
        self._requests = None
        self._goodbye = None
        self._alive = False
        self._tasks = set()

    @classmethod
    async def connect(cls, host="127.0.0.1", port=7070, token=None, **options):
        c = cls(host, port, token, **options)
        await c._connect()
        return c

    async def _connect(self):
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(self.host, self.port, ssl=self._tls, server_hostname=self.host if self._tls else None),
            self._connect_timeout)
        try:
            writer.write(p.encode(self._hello))
            header = await asyncio.wait_for(reader.readexactly(p.HEADER_BYTES), self._connect_timeout)
            opcode, rid, length = p.parse_header(header, self._hello.max_frame_bytes)
            body = await asyncio.wait_for(reader.readexactly(length), self._connect_timeout)
            server = handshake_answer(p.decode_body(opcode, rid, body))
        except (asyncio.IncompleteReadError, ConnectionError) as e:
            writer.close()
            raise ConnectionLostError("the server closed the connection during the handshake (%s)" % (
                type(e).__name__,)) from None
        except BaseException:
            writer.close()
            raise
        self.server = server
        self._writer = writer
        self._requests = RequestTable(server.max_in_flight)
        self._goodbye = None
        self._alive = True
        self._last_read = time.monotonic()
        self._pings = {}
        self._spawn(self._read_loop(reader, writer, self._requests))
        self._spawn(self._keepalive(writer))

    def _spawn(self, coro):
        t = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(t)
        t.add_done_callback(self._tasks.discard)

    def _write(self, m):
        head, tail = p.encode_parts(m)
        self._writer.write(head)
        if tail is not None:
            self._writer.write(tail)

    async def _read_loop(self, reader, writer, requests):
        why = "the server closed the connection"
        try:
            while True:
                header = await reader.readexactly(p.HEADER_BYTES)
                opcode, rid, length = p.parse_header(header, self._hello.max_frame_bytes)
                body = await reader.readexactly(length) if length else b""
                self._last_read = time.monotonic()
                try:
                    m = p.decode_body(opcode, rid, body)
                except ProtocolError as e:
                    log.warning("ignoring a frame the server should not have sent: %s", e)
                    continue
                self._dispatch(m, requests, writer)
        except asyncio.IncompleteReadError:
            pass
        except (OSError, ProtocolError) as e:
            why = str(e)
        except asyncio.CancelledError:
            why = "closed by the client"
        finally:
            self._lost(requests, writer, why)

    def _dispatch(self, m, requests, writer):
        if isinstance(m, (p.Result, p.Error)) and m.request_id != 0:
            fut = requests.take(m.request_id)
            if fut is not None and not fut.done():
                result, err = outcome(m)
                if err is None:
                    fut.set_result(result)
                else:
                    fut.set_exception(err)
        elif isinstance(m, p.Error):
            log.warning("server error for the connection: %s (0x%04x) %s", m.name, m.code, m.message)
        elif isinstance(m, p.Ping):
            if writer is self._writer:
                self._write(p.Pong(m.request_id, m.opaque))
        elif isinstance(m, p.Pong):
            fut = self._pings.pop(m.opaque, None)
            if fut is not None and not fut.done():
                fut.set_result((time.monotonic_ns() - m.opaque) / 1e9)
        elif isinstance(m, p.Goodbye):
            self._goodbye = m.reason or "no reason given"
            log.info("server said GOODBYE: %s", self._goodbye)

    def _lost(self, requests, writer, why):
        if writer is not self._writer:
            return
        self._alive = False
        writer.close()
        goodbye = self._goodbye
        for fut in requests.drain():
            if fut.done():
                continue
            if goodbye is not None:
                fut.set_exception(ConnectionLostError("the server closed the connection after its GOODBYE (%s) without "
                                                      "reading this request: it was not processed" % goodbye, processed=False))
            else:
                fut.set_exception(ConnectionLostError("connection lost before the answer: %s" % why))
        for fut in self._pings.values():
            if not fut.done():
                fut.set_exception(ConnectionLostError(why))
        self._pings.clear()
        if not self._closed and self._reconnect:
            log.warning("connection to %s:%d lost (%s); reconnecting", self.host, self.port, why)
            self._spawn(self._reconnect_loop())

    async def _reconnect_loop(self):
        for attempt, delay in enumerate(backoff_delays(*self._backoff), 1):
            await asyncio.sleep(delay)
            if self._closed:
                return
            try:
                await self._connect()
                log.info("reconnected to %s:%d after %d attempt(s)", self.host, self.port, attempt)
                return
            except ServerError as e:
                if not e.retryable:
                    log.error("not reconnecting to %s:%d: %s", self.host, self.port, e)
                    return
            except (OSError, CamstreamError, asyncio.TimeoutError) as e:
                log.debug("reconnect attempt %d failed: %s", attempt, e)
        log.error("giving up reconnecting to %s:%d", self.host, self.port)

    async def _keepalive(self, writer):
        heartbeat = max(0.05, self.server.heartbeat_millis / 1000.0)
        idle = max(heartbeat, self.server.idle_timeout_millis / 1000.0)
        while self._alive and writer is self._writer:
            await asyncio.sleep(heartbeat / 2)
            silent = time.monotonic() - self._last_read
            if silent >= idle:
                log.warning("nothing from the server for %.1f s; closing the connection", silent)
                writer.close()
                return
            if silent >= heartbeat and self._alive:
                self.ping_nowait()

    @property
    def connected(self):
        return self._alive and not self._closed and self._goodbye is None

    def in_flight(self):
        return len(self._requests.pending) if self._requests else 0

    def stats(self):
        r = self._requests
        return {"answers": r.answers, "unexpected_answers": r.unexpected, "in_flight": len(r.pending)}

    def send_nowait(self, request):
        """Sends a prepared ``protocol.Explain``; returns an asyncio future of its answer."""
        fut = asyncio.get_running_loop().create_future()
        if self._closed or not self._alive:
            fut.set_exception(not_connected("the client is closed" if self._closed else "not connected (reconnecting)"))
        elif self._goodbye is not None:
            fut.set_exception(not_connected("the server said GOODBYE (%s); no new requests" % self._goodbye))
        else:
            try:
                require_version(request, self.server)
                request.request_id = self._requests.add(fut)
                self._write(request)
            except LocalError as e:
                fut.set_exception(e)
        return fut

    def explain_nowait(self, image, **options):
        return self.send_nowait(build_explain(image, **options))

    async def explain(self, image, **options):
        """Explains one frame; options as ``camstream_client.Client.explain``. Raises the typed error."""
        fut = self.explain_nowait(image, **options)
        await self.drain()
        return await fut

    async def drain(self):
        """Waits while the socket's send buffer is above its high-water mark (TCP backpressure)."""
        if self._alive:
            try:
                await self._writer.drain()
            except (ConnectionError, OSError):
                pass

    def ping_nowait(self):
        fut = asyncio.get_running_loop().create_future()
        opaque = time.monotonic_ns()
        self._pings[opaque] = fut
        self._write(p.Ping(0, opaque))
        return fut

    async def ping(self, timeout=10.0):
        """Round trip time of one PING, in seconds."""
        return await asyncio.wait_for(self.ping_nowait(), timeout)

    async def close(self, drain=5.0):
        """GOODBYE, wait up to ``drain`` s for answers in flight, close."""
        if self._closed:
            return
        self._closed = True
        if self._alive:
            try:
                self._write(p.Goodbye("client closing"))
                pending = [f for f in self._requests.pending.values()]
                if pending:
                    await asyncio.wait(pending, timeout=drain)
            except (ConnectionError, OSError):
                pass
            self._writer.close()
        for t in list(self._tasks):
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def __aenter__(self):
        if self.server is None:
            await self._connect()
        return self

    async def __aexit__(self, *exc):
        await self.close()
