"""The wire format of docs/protocol.md: frames, messages, and their exact encoding and decoding.

Pure standard library. Decoding is exact (no bytes left over, no field read past the body) and byte-for-byte
compatible with the Java codec: both check themselves against docs/protocol-vectors/.
"""
import enum
import struct
from dataclasses import dataclass, field
from typing import List, Optional

from .errors import ProtocolError, category_of, code_name

MAGIC = b"CAMS"
HEADER_BYTES = 16
MIN_VERSION = 1  # the oldest version this client speaks
VERSION = 2  # the newest: version 2 adds TargetKind.CONTRAST
HANDSHAKE_FRAME_LIMIT = 4096
MAX_FRAME_LIMIT = 64 << 20
DEFAULT_MAX_FRAME = 16 << 20
MAX_OUTPUT_SIDE = 4096
MAX_CLIENT_NAME_BYTES = 256
MAX_TOKEN_BYTES = 1024
MAX_STRING_BYTES = 65535

_HEADER = struct.Struct("<4sBBHII")


class Opcode(enum.IntEnum):
    HELLO = 0x01
    HELLO_OK = 0x02
    EXPLAIN = 0x03
    RESULT = 0x04
    ERROR = 0x05
    PING = 0x06
    PONG = 0x07
    GOODBYE = 0x08


class TargetKind(enum.IntEnum):
    TOP1 = 1
    TOPK = 2
    CLASS = 3
    CONTRAST = 4  # version 2: logit A minus logit B; target_value = A | B << 16


# the first protocol version that defines each target kind (the others exist since version 1)
TARGET_KIND_SINCE = {TargetKind.CONTRAST: 2}


class ResultForm(enum.IntEnum):
    FLOAT32 = 1
    UINT8 = 2
    JPEG_OVERLAY = 3


class PayloadFormat(enum.IntEnum):
    RGB8 = 1
    BGR8 = 2
    JPEG = 3
    PNG = 4
    FLOAT32 = 5


@dataclass
class Hello:
    min_version: int = MIN_VERSION
    max_version: int = VERSION
    max_frame_bytes: int = DEFAULT_MAX_FRAME
    client_name: str = ""
    token: str = ""
    request_id: int = 0
    opcode = Opcode.HELLO

    def __repr__(self):  # never print the token
        return "Hello(versions=%d..%d, max_frame_bytes=%d, client_name=%r, token=%s)" % (
            self.min_version, self.max_version, self.max_frame_bytes, self.client_name, "***" if self.token else "none")


@dataclass
class HelloOk:
    version: int
    max_frame_bytes: int
    max_in_flight: int
    heartbeat_millis: int
    idle_timeout_millis: int
    input_height: int
    input_width: int
    num_classes: int
    layer: str
    methods: List[str]
    server_name: str
    request_id: int = 0
    opcode = Opcode.HELLO_OK


@dataclass
class Explain:
    request_id: int
    stream_id: int
    frame_number: int
    method: str
    target_kind: TargetKind
    target_value: int
    deadline_micros: int
    priority: int
    result_form: ResultForm
    out_height: int
    out_width: int
    payload_format: PayloadFormat
    payload_height: int
    payload_width: int
    payload: bytes  # any buffer: bytes, memoryview, a contiguous NumPy array's data
    opcode = Opcode.EXPLAIN


@dataclass
class Prediction:
    class_index: int
    probability: float
    label: str

    def __iter__(self):  # (index, label, probability), as printed
        return iter((self.class_index, self.label, self.probability))


@dataclass
class Map:
    """The map for one explained class. ``data`` is a view into the received frame, not a copy."""
    class_index: int
    probability: float
    form: ResultForm
    height: int
    width: int
    data: memoryview

    @property
    def heatmap(self):
        """FLOAT32: float32 (H, W) in [0, 1]; UINT8: uint8 (H, W) = round(255 v). Both views, no copy."""
        import numpy as np
        if self.form == ResultForm.FLOAT32:
            return np.frombuffer(self.data, dtype="<f4").reshape(self.height, self.width)
        if self.form == ResultForm.UINT8:
            return np.frombuffer(self.data, dtype=np.uint8).reshape(self.height, self.width)
        raise ValueError("a JPEG overlay has no map values; use .jpeg (or .image() with OpenCV)")

    def values(self):
        """The map as float32 values in [0, 1] (UINT8 divided by 255; a new array)."""
        import numpy as np
        h = self.heatmap
        return h if h.dtype == np.float32 else h.astype(np.float32) / 255.0

    @property
    def jpeg(self):
        if self.form != ResultForm.JPEG_OVERLAY:
            raise ValueError("this map is %s, not a JPEG overlay" % self.form.name)
        return bytes(self.data)

    def image(self):
        """The JPEG overlay decoded to a BGR uint8 (H, W, 3) array; needs OpenCV."""
        import numpy as np
        try:
            import cv2
        except ImportError as e:
            raise RuntimeError("decoding overlays needs OpenCV (pip install opencv-python-headless)") from e
        return cv2.imdecode(np.frombuffer(self.data, np.uint8), cv2.IMREAD_COLOR)


@dataclass
class Result:
    request_id: int
    stream_id: int
    frame_number: int
    queue_micros: int
    compute_micros: int
    batch_size: int
    predictions: List[Prediction] = field(default_factory=list)
    maps: List[Map] = field(default_factory=list)
    opcode = Opcode.RESULT


@dataclass
class Error:
    request_id: int
    code: int
    message: str
    opcode = Opcode.ERROR

    @property
    def name(self):
        return code_name(self.code)

    @property
    def category(self):
        return category_of(self.code)


@dataclass
class Ping:
    request_id: int = 0
    opaque: int = 0
    opcode = Opcode.PING


@dataclass
class Pong:
    request_id: int = 0
    opaque: int = 0
    opcode = Opcode.PONG


@dataclass
class Goodbye:
    reason: str = ""
    request_id: int = 0
    opcode = Opcode.GOODBYE


# ---------------------------------------------------------------- encoding

def _string(s, what, limit=MAX_STRING_BYTES):
    b = s.encode("utf-8")
    if len(b) > limit:
        raise ValueError("%s is %d bytes of UTF-8, more than %d" % (what, len(b), limit))
    return struct.pack("<H", len(b)) + b


def _check(value, bits, what):
    if not 0 <= value < (1 << bits):
        raise ValueError("%s must fit in u%d, got %r" % (what, bits, value))
    return value


def encode_parts(m):
    """The frame as (header and fields, trailing payload buffer or None): the payload is not copied."""
    tail = None
    op = m.opcode
    if op == Opcode.HELLO:
        body = struct.pack("<HHI", _check(m.min_version, 16, "min_version"), _check(m.max_version, 16, "max_version"),
                           _check(m.max_frame_bytes, 32, "max_frame_bytes")) \
            + _string(m.client_name, "client_name", MAX_CLIENT_NAME_BYTES) + _string(m.token, "token", MAX_TOKEN_BYTES)
    elif op == Opcode.HELLO_OK:
        parts = [struct.pack("<HIIIIHHI", m.version, m.max_frame_bytes, m.max_in_flight, m.heartbeat_millis,
                             m.idle_timeout_millis, m.input_height, m.input_width, m.num_classes), _string(m.layer, "layer"),
                 struct.pack("<B", _check(len(m.methods), 8, "method count"))]
        parts += [_string(s, "method") for s in m.methods]
        parts.append(_string(m.server_name, "server_name"))
        body = b"".join(parts)
    elif op == Opcode.EXPLAIN:
        tail = m.payload
        n = memoryview(tail).nbytes
        body = struct.pack("<IQ", _check(m.stream_id, 32, "stream_id"), _check(m.frame_number, 64, "frame_number")) \
            + _string(m.method, "method") \
            + struct.pack("<BIIBBHHBHHI", TargetKind(m.target_kind), _check(m.target_value, 32, "target_value"),
                          _check(m.deadline_micros, 32, "deadline_micros"), _check(m.priority, 8, "priority"),
                          ResultForm(m.result_form), _check(m.out_height, 16, "out_height"), _check(m.out_width, 16, "out_width"),
                          PayloadFormat(m.payload_format), _check(m.payload_height, 16, "payload_height"),
                          _check(m.payload_width, 16, "payload_width"), _check(n, 32, "payload length"))
    elif op == Opcode.RESULT:
        parts = [struct.pack("<IQIIHB", m.stream_id, m.frame_number, m.queue_micros, m.compute_micros, m.batch_size,
                             _check(len(m.predictions), 8, "prediction count"))]
        for p in m.predictions:
            parts.append(struct.pack("<If", p.class_index, p.probability) + _string(p.label, "label"))
        parts.append(struct.pack("<B", _check(len(m.maps), 8, "map count")))
        for h in m.maps:
            data = memoryview(h.data).cast("B")
            parts.append(struct.pack("<IfBHHI", h.class_index, h.probability, ResultForm(h.form), h.height, h.width, data.nbytes))
            parts.append(bytes(data))
        body = b"".join(parts)
    elif op == Opcode.ERROR:
        body = struct.pack("<H", _check(m.code, 16, "code")) + _string(m.message, "message")
    elif op in (Opcode.PING, Opcode.PONG):
        body = struct.pack("<Q", _check(m.opaque, 64, "opaque"))
    elif op == Opcode.GOODBYE:
        body = _string(m.reason, "reason")
    else:
        raise ValueError("not a message: %r" % (m,))
    length = len(body) + (memoryview(tail).nbytes if tail is not None else 0)
    header = _HEADER.pack(MAGIC, int(op), 0, 0, _check(m.request_id, 32, "request_id"), _check(length, 32, "body length"))
    return header + body, tail


def encode(m):
    """The whole frame as bytes."""
    head, tail = encode_parts(m)
    return head if tail is None else head + bytes(memoryview(tail).cast("B"))


# ---------------------------------------------------------------- decoding

def parse_header(header, max_frame_bytes):
    """(opcode, request id, body length) of a 16-byte header, or ProtocolError(fatal) for broken framing."""
    check_magic_prefix(header)
    magic, opcode, flags, reserved, request_id, length = _HEADER.unpack_from(header)
    if flags or reserved:
        raise ProtocolError("reserved header bits must be 0 (flags 0x%02x, reserved 0x%04x)" % (flags, reserved), 0, True)
    if HEADER_BYTES + length > max_frame_bytes:
        raise ProtocolError("frame of %d bytes exceeds the limit of %d" % (HEADER_BYTES + length, max_frame_bytes), 0, True)
    return opcode, request_id, length


def check_magic_prefix(data):
    """Fails on the first wrong magic byte, without waiting for a whole header."""
    for i in range(min(4, len(data))):
        if data[i] != MAGIC[i]:
            raise ProtocolError("bad magic: byte %d is 0x%02x, expected 0x%02x" % (i, data[i], MAGIC[i]), 0, True)


class _Reader:
    __slots__ = ("buf", "pos", "end", "request_id", "frame")

    def __init__(self, body, request_id, frame):
        self.buf = memoryview(body).cast("B") if not isinstance(body, memoryview) or body.format != "B" else body
        self.pos = 0
        self.end = len(self.buf)
        self.request_id = request_id
        self.frame = frame

    def _need(self, n, what):
        if self.end - self.pos < n:
            raise ProtocolError("%s body ends inside %s (needs %d bytes, %d left)" % (self.frame, what, n, self.end - self.pos),
                                self.request_id)

    def unpack(self, s, what):
        self._need(s.size, what)
        v = s.unpack_from(self.buf, self.pos)
        self.pos += s.size
        return v

    def string(self, what, limit=MAX_STRING_BYTES):
        (n,) = self.unpack(_U16, what + " length")
        if n > limit:
            raise ProtocolError("%s %s is %d bytes, more than %d" % (self.frame, what, n, limit), self.request_id)
        self._need(n, what)
        raw = self.buf[self.pos:self.pos + n]
        self.pos += n
        try:
            return str(raw, "utf-8")
        except UnicodeDecodeError:
            raise ProtocolError("%s %s is not valid UTF-8" % (self.frame, what), self.request_id) from None

    def blob(self, what):
        (n,) = self.unpack(_U32, what + " length")
        if n > self.end - self.pos:
            raise ProtocolError("%s %s claims %d bytes, only %d left" % (self.frame, what, n, self.end - self.pos), self.request_id)
        v = self.buf[self.pos:self.pos + n]
        self.pos += n
        return v

    def known(self, enum_cls, code, what):
        try:
            return enum_cls(code)
        except ValueError:
            raise ProtocolError("%s has unknown %s %d" % (self.frame, what, code), self.request_id) from None

    def done(self):
        if self.pos != self.end:
            raise ProtocolError("%s body has %d bytes after its last field" % (self.frame, self.end - self.pos), self.request_id)


_U8 = struct.Struct("<B")
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
_U64 = struct.Struct("<Q")
_HELLO = struct.Struct("<HHI")
_HELLO_OK = struct.Struct("<HIIIIHHI")
_EXPLAIN_HEAD = struct.Struct("<IQ")
_EXPLAIN_MID = struct.Struct("<BIIBBHHBHH")
_RESULT_HEAD = struct.Struct("<IQIIHB")
_PREDICTION = struct.Struct("<If")
_MAP = struct.Struct("<IfBHH")


def decode_body(opcode, request_id, body):
    """One body whose header has been checked. Raises ProtocolError (not fatal) for an unknown opcode or a bad body.

    Byte fields (payload, map data) are views into ``body``: keep ``body`` alive and unchanged while they are used."""
    try:
        op = Opcode(opcode)
    except ValueError:
        raise ProtocolError("unknown opcode 0x%02x" % opcode, request_id) from None
    r = _Reader(body, request_id, op.name)
    if op == Opcode.HELLO:
        mn, mx, mf = r.unpack(_HELLO, "HELLO fields")
        m = Hello(mn, mx, mf, r.string("clientName", MAX_CLIENT_NAME_BYTES), r.string("token", MAX_TOKEN_BYTES))
    elif op == Opcode.HELLO_OK:
        f = r.unpack(_HELLO_OK, "HELLO_OK fields")
        layer = r.string("layer")
        (n,) = r.unpack(_U8, "methodCount")
        methods = [r.string("method") for _ in range(n)]
        m = HelloOk(*f, layer, methods, r.string("serverName"))
    elif op == Opcode.EXPLAIN:
        stream, frame = r.unpack(_EXPLAIN_HEAD, "streamId/frameNumber")
        method = r.string("method")
        kind, value, deadline, priority, form, oh, ow, fmt, ph, pw = r.unpack(_EXPLAIN_MID, "EXPLAIN fields")
        kind = r.known(TargetKind, kind, "targetKind")
        form = r.known(ResultForm, form, "resultForm")
        fmt = r.known(PayloadFormat, fmt, "payloadFormat")
        m = Explain(request_id, stream, frame, method, kind, value, deadline, priority, form, oh, ow, fmt, ph, pw, r.blob("payload"))
    elif op == Opcode.RESULT:
        stream, frame, queue, compute, batch, npred = r.unpack(_RESULT_HEAD, "RESULT fields")
        preds = []
        for _ in range(npred):
            cls, p = r.unpack(_PREDICTION, "prediction")
            preds.append(Prediction(cls, p, r.string("label")))
        (nmaps,) = r.unpack(_U8, "mapCount")
        maps = []
        for _ in range(nmaps):
            cls, p, form, h, w = r.unpack(_MAP, "map")
            form = r.known(ResultForm, form, "map form")
            maps.append(Map(cls, p, form, h, w, r.blob("map data")))
        m = Result(request_id, stream, frame, queue, compute, batch, preds, maps)
    elif op == Opcode.ERROR:
        (code,) = r.unpack(_U16, "code")
        m = Error(request_id, code, r.string("message"))
    elif op in (Opcode.PING, Opcode.PONG):
        (opaque,) = r.unpack(_U64, "opaque")
        m = (Ping if op == Opcode.PING else Pong)(request_id, opaque)
    else:
        m = Goodbye(r.string("reason"))
    r.done()
    if op in (Opcode.HELLO, Opcode.HELLO_OK, Opcode.GOODBYE) and request_id != 0:
        raise ProtocolError("%s must carry request id 0" % op.name, request_id)
    if op == Opcode.EXPLAIN and request_id == 0:
        raise ProtocolError("EXPLAIN needs a request id of at least 1", 0)
    return m


def decode_frame(data, max_frame_bytes=DEFAULT_MAX_FRAME):
    """Exactly one whole frame (header + body) to a message."""
    data = memoryview(data).cast("B")
    check_magic_prefix(data[:4])
    if len(data) < HEADER_BYTES:
        raise ProtocolError("a frame needs %d header bytes, got %d" % (HEADER_BYTES, len(data)), 0, True)
    opcode, request_id, length = parse_header(data[:HEADER_BYTES], max_frame_bytes)
    if len(data) != HEADER_BYTES + length:
        raise ProtocolError("frame announces %d body bytes, %d given" % (length, len(data) - HEADER_BYTES), 0, True)
    return decode_body(opcode, request_id, data[HEADER_BYTES:])
