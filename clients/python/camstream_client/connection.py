"""What the sync and asyncio clients share: the handshake message, request ids within the window, and turning
answers into results or typed exceptions."""
import random

from . import protocol as p
from .errors import NotConnectedError, VersionTooOldError, WindowFullError, server_error

__version__ = "0.1.0"
CLIENT_NAME = "camstream-python/" + __version__


def read_token_file(path):
    """The token of a token file: its first line without surrounding whitespace (so a trailing newline is not part
    of it), as the server reads its --token-file."""
    with open(path, encoding="utf-8") as f:
        return f.readline().strip()


def hello(token, client_name, max_frame_bytes, min_version=p.MIN_VERSION, max_version=p.VERSION):
    return p.Hello(min_version, max_version, max_frame_bytes, client_name or CLIENT_NAME, token or "")


def handshake_answer(m):
    """The HELLO_OK, or the server's refusal raised as its typed error."""
    if isinstance(m, p.Error):
        raise server_error(m.code, m.message, m.request_id)
    if not isinstance(m, p.HelloOk):
        raise p.ProtocolError("expected HELLO_OK, got %s" % m.opcode.name, 0, True)
    if not p.MIN_VERSION <= m.version <= p.VERSION:
        raise p.ProtocolError("server chose protocol version %d; this client speaks %d..%d" % (m.version, p.MIN_VERSION, p.VERSION), 0, True)
    return m


def require_version(request, server):
    """Raises VersionTooOldError for a request whose target kind the agreed version does not define."""
    since = p.TARGET_KIND_SINCE.get(request.target_kind, p.MIN_VERSION)
    if since > server.version:
        raise VersionTooOldError("a %s target needs protocol version %d; this server speaks version %d"
                                 % (p.TargetKind(request.target_kind).name, since, server.version))


class RequestTable:
    """Requests in flight on one connection: ids ≥ 1 not in flight, at most the server's window of them."""

    def __init__(self, window):
        self.window = window
        self.pending = {}
        self._next = 1
        self.answers = 0
        self.unexpected = 0

    def add(self, item):
        if len(self.pending) >= self.window:
            raise WindowFullError("the connection's window of %d requests is full" % self.window)
        rid = self._next
        while rid in self.pending:
            rid = rid % 0xFFFFFFFF + 1
        self._next = rid % 0xFFFFFFFF + 1
        self.pending[rid] = item
        return rid

    def take(self, request_id):
        """The request this answer belongs to, or None (an id not in flight: counted, then ignored)."""
        item = self.pending.pop(request_id, None)
        if item is None:
            self.unexpected += 1
        else:
            self.answers += 1
        return item

    def drain(self):
        items = list(self.pending.values())
        self.pending.clear()
        return items


def outcome(m):
    """(result, None) or (None, exception) for an answer."""
    if isinstance(m, p.Result):
        return m, None
    return None, server_error(m.code, m.message, m.request_id)


def backoff_delays(initial, maximum, attempts):
    """Exponential backoff with jitter in [d/2, d]: clients that lost the same server do not return in lockstep."""
    for attempt in range(attempts):
        d = min(maximum, initial * (2 ** attempt))
        yield d / 2 + random.random() * d / 2


def not_connected(why):
    return NotConnectedError(why)
