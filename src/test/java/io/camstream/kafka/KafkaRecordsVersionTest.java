package io.camstream.kafka;

import io.camstream.protocol.ErrorCode;
import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Opcode;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ProtocolException;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import org.apache.kafka.common.header.Headers;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Records name the oldest protocol version that defines what they carry; a worker reads versions 1 and 2 only. */
class KafkaRecordsVersionTest {
    private static ExplainRequest request(Target t) {
        return new ExplainRequest(1, 7, 3, "gradcam", t, 0, 0, ResultSpec.of(ResultForm.FLOAT32), Payload.rgb8(1, 1, new byte[3]));
    }

    private static int version(Headers h) {
        return h.lastHeader(KafkaRecords.VERSION_HEADER).value()[0];
    }

    @Test
    void aContrastIsAVersion2RecordAndEverythingElseVersion1() {
        assertEquals(1, version(KafkaRecords.requestHeaders(request(Target.classIndex(3)))));
        assertEquals(1, version(KafkaRecords.requestHeaders(request(Target.topK(2)))));
        ExplainRequest contrast = request(Target.contrast(3, 1));
        Headers h = KafkaRecords.requestHeaders(contrast);
        assertEquals(2, version(h));
        assertEquals(contrast.target(), KafkaRecords.decodeRequest(h, KafkaRecords.body(contrast)).target());
        assertEquals(1, version(KafkaRecords.answerHeaders(Opcode.RESULT, "in/0/5", 3L)));
    }

    @Test
    void aContrastLabelledVersion1AndAnUnknownVersionAreMalformed() {
        byte[] body = KafkaRecords.body(request(Target.contrast(3, 1)));
        ProtocolException v1 = assertThrows(ProtocolException.class, () -> KafkaRecords.decodeRequest(KafkaRecords.headers(Opcode.EXPLAIN, 1), body));
        assertEquals(ErrorCode.MALFORMED, v1.code());
        assertTrue(v1.getMessage().contains("not defined in protocol version 1"), v1.getMessage());
        ProtocolException v3 = assertThrows(ProtocolException.class, () -> KafkaRecords.decodeRequest(KafkaRecords.headers(Opcode.EXPLAIN, 3), body));
        assertTrue(v3.getMessage().contains("record of protocol version 3"), v3.getMessage());
        // a version-2 record of a version-1 request is read as well
        ExplainRequest plain = request(Target.classIndex(4));
        assertEquals(plain.target(), KafkaRecords.decodeRequest(KafkaRecords.headers(Opcode.EXPLAIN, 2), KafkaRecords.body(plain)).target());
    }
}
