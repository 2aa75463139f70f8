package io.camstream.server;

import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.Payload;
import io.camstream.protocol.ResultForm;
import io.camstream.protocol.ResultSpec;
import io.camstream.protocol.Target;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batch formation rules, with times chosen so that no outcome depends on how fast the test runs. */
class RequestQueueTest {
    private static final long NEVER = Long.MAX_VALUE / 4;
    private static final long BRIEFLY = 1_000_000; // 1 ms: the longest a take may wait here

    private static InferenceRequest request(long id, String method, Target target, int priority, long deadlineMicros, long receivedNanos) {
        ExplainRequest m = new ExplainRequest(id, 0, id, method, target, deadlineMicros, priority, ResultSpec.of(ResultForm.FLOAT32),
                Payload.jpeg(new byte[1]));
        return new InferenceRequest(m, null, receivedNanos);
    }

    private static InferenceRequest request(long id) {
        return request(id, "gradcam", Target.top1(), 0, 0, System.nanoTime());
    }

    private static RequestQueue queueWith(int capacity, InferenceRequest... rs) {
        RequestQueue q = new RequestQueue(capacity);
        for (InferenceRequest r : rs) {
            assertTrue(q.tryReserve(r));
            assertTrue(q.put(r, System.nanoTime()));
        }
        return q;
    }

    private static List<Long> ids(List<InferenceRequest> rs) {
        return rs.stream().map(r -> r.requestId).toList();
    }

    @Test
    void aFullBatchGoesWithoutWaitingForTheDelay() throws InterruptedException {
        RequestQueue q = queueWith(10, request(1), request(2), request(3));
        RequestQueue.Taken t = q.take(2, NEVER, BRIEFLY);
        assertEquals(List.of(1L, 2L), ids(t.batch()));
        assertEquals(1, q.occupancy());
    }

    @Test
    void aPartialBatchWaitsForTheDelay() throws InterruptedException {
        RequestQueue q = queueWith(10, request(1));
        assertTrue(q.take(4, NEVER, BRIEFLY).batch().isEmpty(), "must not go before it is full or its oldest has waited");
        assertEquals(List.of(1L), ids(q.take(4, 0, BRIEFLY).batch()));
    }

    @Test
    void reservationsBoundTheQueueAndRefuseAtOnce() {
        RequestQueue q = new RequestQueue(2);
        assertTrue(q.tryReserve(request(1)));
        assertTrue(q.tryReserve(request(2)));
        assertFalse(q.tryReserve(request(3)));
        q.release();
        assertTrue(q.tryReserve(request(4)));
        assertEquals(2, q.occupancy());
    }

    @Test
    void higherPriorityFirstThenArrivalOrder() throws InterruptedException {
        long t = System.nanoTime();
        RequestQueue q = queueWith(10,
                request(1, "gradcam", Target.top1(), 0, 0, t),
                request(2, "gradcam", Target.top1(), 5, 0, t),
                request(3, "gradcam", Target.top1(), 0, 0, t),
                request(4, "gradcam", Target.top1(), 5, 0, t));
        assertEquals(List.of(2L, 4L, 1L), ids(q.take(3, 0, BRIEFLY).batch()));
        assertEquals(List.of(3L), ids(q.take(3, 0, BRIEFLY).batch()));
    }

    @Test
    void arrivalOrderIsAdmissionOrderNotDecodeOrder() throws InterruptedException {
        RequestQueue q = new RequestQueue(10);
        InferenceRequest first = request(1);
        InferenceRequest second = request(2);
        assertTrue(q.tryReserve(first));
        assertTrue(q.tryReserve(second));
        // the second finishes decoding first
        assertTrue(q.put(second, System.nanoTime()));
        assertTrue(q.put(first, System.nanoTime()));
        assertEquals(List.of(1L, 2L), ids(q.take(2, 0, BRIEFLY).batch()));
    }

    @Test
    void aBatchHoldsOneMethodAndTargetKind() throws InterruptedException {
        long t = System.nanoTime();
        RequestQueue q = queueWith(10,
                request(1, "gradcam", Target.top1(), 0, 0, t),
                request(2, "gradcam++", Target.top1(), 0, 0, t),
                request(3, "gradcam", Target.topK(3), 0, 0, t),
                request(4, "gradcam", Target.topK(1), 0, 0, t),
                request(5, "gradcam", Target.classIndex(2), 0, 0, t),
                request(6, "gradcam", Target.classIndex(4), 0, 0, t));
        assertEquals(List.of(1L, 4L), ids(q.take(8, 0, BRIEFLY).batch()), "top-1 and top-k with k = 1 batch together");
        assertEquals(List.of(2L), ids(q.take(8, 0, BRIEFLY).batch()));
        assertEquals(List.of(3L), ids(q.take(8, 0, BRIEFLY).batch()));
        assertEquals(List.of(5L, 6L), ids(q.take(8, 0, BRIEFLY).batch()), "any classes batch together");
    }

    @Test
    void expiredRequestsAreTakenOutBeforeTheyCanRun() throws InterruptedException {
        long longAgo = System.nanoTime() - 10_000_000_000L;
        RequestQueue q = queueWith(10,
                request(1, "gradcam", Target.top1(), 0, 1000, longAgo),
                request(2),
                request(3, "gradcam", Target.top1(), 9, 5, longAgo));
        RequestQueue.Taken t = q.take(8, 0, BRIEFLY);
        assertEquals(List.of(2L), ids(t.batch()));
        assertEquals(List.of(1L, 3L), ids(t.expired()));
        assertEquals(0, q.occupancy());
    }

    @Test
    void answeredRequestsAreDroppedWithoutTakingAPlace() throws InterruptedException {
        InferenceRequest gone = request(1);
        RequestQueue q = queueWith(10, gone, request(2), request(3));
        assertTrue(gone.claimAnswer());
        RequestQueue.Taken t = q.take(2, NEVER, BRIEFLY);
        assertEquals(List.of(2L, 3L), ids(t.batch()));
        assertEquals(List.of(1L), ids(t.abandoned()));
    }

    @Test
    void stoppingAdmissionFlushesPartialBatchesAndCloseEndsTakes() throws InterruptedException {
        RequestQueue q = queueWith(10, request(1));
        q.stopAdmission();
        assertFalse(q.tryReserve(request(2)));
        assertEquals(List.of(1L), ids(q.take(8, NEVER, BRIEFLY).batch()));
        q.close();
        assertNull(q.take(8, NEVER, BRIEFLY));
    }

    @Test
    void closeRefusesPutsAndDrainReturnsWhatIsLeft() {
        RequestQueue q = queueWith(10, request(1), request(2));
        InferenceRequest late = request(3);
        assertTrue(q.tryReserve(late));
        q.close();
        assertFalse(q.put(late, System.nanoTime()));
        assertEquals(List.of(1L, 2L), ids(q.drain()));
        assertEquals(0, q.occupancy());
    }
}
