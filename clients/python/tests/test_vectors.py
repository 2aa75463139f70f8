"""The shared vectors of docs/protocol-vectors/ (made by the Java codec): every one decodes as its JSON says and
re-encodes byte for byte; the ones that must not decode fail with the described error."""
import json
import struct
from pathlib import Path

import pytest

from camstream_client import protocol as p
from camstream_client.errors import ProtocolError, category_of, code_name

VECTORS = Path(__file__).resolve().parents[3] / "docs" / "protocol-vectors"
NAMES = json.loads((VECTORS / "index.json").read_text())


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def to_json(m):
    """A decoded message as the vectors' JSON describes it (field names of docs/protocol.md)."""
    d = {"type": m.opcode.name, "requestId": m.request_id}
    if isinstance(m, p.Hello):
        d.update(minVersion=m.min_version, maxVersion=m.max_version, maxFrameBytes=m.max_frame_bytes,
                 clientName=m.client_name, token=m.token)
    elif isinstance(m, p.HelloOk):
        d.update(version=m.version, maxFrameBytes=m.max_frame_bytes, maxInFlight=m.max_in_flight,
                 heartbeatMillis=m.heartbeat_millis, idleTimeoutMillis=m.idle_timeout_millis, inputHeight=m.input_height,
                 inputWidth=m.input_width, numClasses=m.num_classes, layer=m.layer, methods=m.methods, serverName=m.server_name)
    elif isinstance(m, p.Explain):
        d.update(streamId=m.stream_id, frameNumber=m.frame_number, method=m.method, targetKind=m.target_kind.name,
                 targetValue=m.target_value, deadlineMicros=m.deadline_micros, priority=m.priority,
                 resultForm=m.result_form.name, outHeight=m.out_height, outWidth=m.out_width,
                 payloadFormat=m.payload_format.name, payloadHeight=m.payload_height, payloadWidth=m.payload_width,
                 payload=bytes(m.payload).hex())
    elif isinstance(m, p.Result):
        d.update(streamId=m.stream_id, frameNumber=m.frame_number, queueMicros=m.queue_micros,
                 computeMicros=m.compute_micros, batchSize=m.batch_size,
                 predictions=[{"classIndex": x.class_index, "probability": x.probability, "label": x.label} for x in m.predictions],
                 maps=[{"classIndex": x.class_index, "probability": x.probability, "form": x.form.name, "height": x.height,
                        "width": x.width, "data": bytes(x.data).hex()} for x in m.maps])
    elif isinstance(m, p.Error):
        d.update(code=m.code, codeName=code_name(m.code), category=category_of(m.code),
                 retryable=category_of(m.code) == "REJECTED", message=m.message)
    elif isinstance(m, (p.Ping, p.Pong)):
        d.update(opaque=m.opaque)
    elif isinstance(m, p.Goodbye):
        d.update(reason=m.reason)
    return d


def from_json(d):
    """The message a vector's JSON describes, built without the decoder."""
    t, rid = d["type"], d["requestId"]
    if t == "HELLO":
        return p.Hello(d["minVersion"], d["maxVersion"], d["maxFrameBytes"], d["clientName"], d["token"])
    if t == "HELLO_OK":
        return p.HelloOk(d["version"], d["maxFrameBytes"], d["maxInFlight"], d["heartbeatMillis"], d["idleTimeoutMillis"],
                         d["inputHeight"], d["inputWidth"], d["numClasses"], d["layer"], d["methods"], d["serverName"])
    if t == "EXPLAIN":
        return p.Explain(rid, d["streamId"], d["frameNumber"], d["method"], p.TargetKind[d["targetKind"]], d["targetValue"],
                         d["deadlineMicros"], d["priority"], p.ResultForm[d["resultForm"]], d["outHeight"], d["outWidth"],
                         p.PayloadFormat[d["payloadFormat"]], d["payloadHeight"], d["payloadWidth"], bytes.fromhex(d["payload"]))
    if t == "RESULT":
        return p.Result(rid, d["streamId"], d["frameNumber"], d["queueMicros"], d["computeMicros"], d["batchSize"],
                        [p.Prediction(x["classIndex"], x["probability"], x["label"]) for x in d["predictions"]],
                        [p.Map(x["classIndex"], x["probability"], p.ResultForm[x["form"]], x["height"], x["width"],
                               bytes.fromhex(x["data"])) for x in d["maps"]])
    if t == "ERROR":
        return p.Error(rid, d["code"], d["message"])
    if t in ("PING", "PONG"):
        return (p.Ping if t == "PING" else p.Pong)(rid, d["opaque"])
    return p.Goodbye(d["reason"])


def normalised(d):
    """Probabilities compared as float32, as they travel."""
    d = json.loads(json.dumps(d))
    for key in ("predictions", "maps"):
        for x in d.get(key, []):
            x["probability"] = f32(x["probability"])
    return d


def load(name):
    d = json.loads((VECTORS / (name + ".json")).read_text(encoding="utf-8"))
    return d, (VECTORS / d["file"]).read_bytes()


def limit(d):
    return p.HANDSHAKE_FRAME_LIMIT if d["context"] == "first-frame" else p.DEFAULT_MAX_FRAME


def test_there_are_vectors_of_every_message_type():
    types = set()
    for name in NAMES:
        d, _ = load(name)
        if d["decodes"]:
            types.add(d["message"]["type"])
    assert types == {o.name for o in p.Opcode}
    assert len(NAMES) > 40


@pytest.mark.parametrize("name", NAMES)
def test_vector(name):
    d, data = load(name)
    assert len(data) == d["length"]
    if d["decodes"]:
        m = p.decode_frame(data, limit(d))
        assert normalised(to_json(m)) == normalised(d["message"])
        assert p.encode(m) == data, "re-encoding the decoded message"
        assert p.encode(from_json(d["message"])) == data, "encoding the message the JSON describes"
    else:
        want = d["decodeError"]
        with pytest.raises(ProtocolError) as e:
            p.decode_frame(data, limit(d))
        assert e.value.code == want["codeValue"]
        assert e.value.request_id == want["requestId"], str(e.value)
        assert (e.value.fatal or d["context"] == "first-frame") == want["closesConnection"], str(e.value)
