"""Typed errors: the server's codes (docs/protocol.md, ERROR), by category, and failures decided on this side."""

MALFORMED = 0x0101
INVALID = 0x0102
UNSUPPORTED_VERSION = 0x0103
OVERLOADED = 0x0201
SHUTTING_DOWN = 0x0202
DEADLINE_EXCEEDED = 0x0301
UNAUTHENTICATED = 0x0401
INTERNAL = 0x0501

CODE_NAMES = {
    MALFORMED: "MALFORMED", INVALID: "INVALID", UNSUPPORTED_VERSION: "UNSUPPORTED_VERSION",
    OVERLOADED: "OVERLOADED", SHUTTING_DOWN: "SHUTTING_DOWN", DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
    UNAUTHENTICATED: "UNAUTHENTICATED", INTERNAL: "INTERNAL",
}
CATEGORY_NAMES = {1: "INVALID", 2: "REJECTED", 3: "DEADLINE", 4: "UNAUTHENTICATED"}


def category_of(code):
    """The category (the code's high byte) by name; unknown categories are INTERNAL."""
    return CATEGORY_NAMES.get(code >> 8, "INTERNAL")


def code_name(code):
    return CODE_NAMES.get(code, "UNKNOWN")


class CamstreamError(Exception):
    """Base of every error this package raises."""

    retryable = False


class ProtocolError(CamstreamError):
    """Bytes that break the protocol. ``fatal`` when framing itself is broken and the connection must close."""

    def __init__(self, message, request_id=0, fatal=False):
        super().__init__(message)
        self.code = MALFORMED
        self.request_id = request_id
        self.fatal = fatal


class ServerError(CamstreamError):
    """The server's typed answer to a request (or, with request id 0, to the connection)."""

    def __init__(self, code, message, request_id=0):
        super().__init__("server answered %s (0x%04x): %s" % (code_name(code), code, message))
        self.code = code
        self.name = code_name(code)
        self.category = category_of(code)
        self.server_message = message
        self.request_id = request_id

    @property
    def retryable(self):
        return self.category == "REJECTED"


class InvalidRequestError(ServerError):
    """Category INVALID: the request is wrong; do not retry it."""


class MalformedError(InvalidRequestError):
    pass


class InvalidError(InvalidRequestError):
    pass


class UnsupportedVersionError(InvalidRequestError):
    pass


class RejectedError(ServerError):
    """Category REJECTED: not processed; safe to retry later or elsewhere."""


class OverloadedError(RejectedError):
    pass


class ShuttingDownError(RejectedError):
    pass


class DeadlineError(ServerError):
    """Category DEADLINE: the budget ran out before compute; retry only with a new deadline."""


class DeadlineExceededError(DeadlineError):
    pass


class UnauthenticatedError(ServerError):
    """Wrong or missing token; the server closes the connection."""


class InternalError(ServerError):
    """The server failed (also every code of an unknown category)."""


_BY_CODE = {
    MALFORMED: MalformedError, INVALID: InvalidError, UNSUPPORTED_VERSION: UnsupportedVersionError,
    OVERLOADED: OverloadedError, SHUTTING_DOWN: ShuttingDownError, DEADLINE_EXCEEDED: DeadlineExceededError,
    UNAUTHENTICATED: UnauthenticatedError, INTERNAL: InternalError,
}
_BY_CATEGORY = {"INVALID": InvalidRequestError, "REJECTED": RejectedError, "DEADLINE": DeadlineError,
                "UNAUTHENTICATED": UnauthenticatedError, "INTERNAL": InternalError}


def server_error(code, message, request_id=0):
    """The exception for a server ERROR: its code's class, or for an unknown code its category's."""
    cls = _BY_CODE.get(code) or _BY_CATEGORY[category_of(code)]
    return cls(code, message, request_id)


class LocalError(CamstreamError):
    """A request that failed on this side; the server never saw it or never answered it. Retryable."""

    reason = "LOCAL"
    retryable = True


class NotConnectedError(LocalError):
    """No usable connection (closed, reconnecting, or the server said GOODBYE); nothing was sent."""

    reason = "NOT_CONNECTED"


class ConnectionLostError(LocalError):
    """The connection closed before the answer came.

    ``processed`` is False when the server had said GOODBYE first: it answers every request it reads, so one left
    unanswered when it closes was never read and never computed. Otherwise it is None (unknown)."""

    reason = "CONNECTION_LOST"

    def __init__(self, message, processed=None):
        super().__init__(message)
        self.processed = processed


class WindowFullError(LocalError):
    """The connection's window (the server's maxInFlight) was full; nothing was sent."""

    reason = "WINDOW_FULL"


class VersionTooOldError(LocalError):
    """The request needs a newer protocol version than the one agreed with this server; nothing was sent."""

    reason = "VERSION_TOO_OLD"
    retryable = False


def error_type(exc):
    """For reports: the server code's name, the local reason, or the exception class."""
    if isinstance(exc, ServerError):
        return exc.name if exc.name != "UNKNOWN" else "0x%04x" % exc.code
    if isinstance(exc, LocalError):
        return exc.reason
    return type(exc).__name__
