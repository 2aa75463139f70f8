package io.camstream.client;

import io.camstream.protocol.ExplainRequest;
import io.camstream.protocol.ExplainResult;
import io.camstream.protocol.HelloOk;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** What `stream` and `load` need of a client: one server ({@link CamstreamClient}) or several ({@link ShardedClient}). */
public interface ExplainClient extends AutoCloseable {
    CompletableFuture<ExplainResult> explain(ExplainRequest request);

    HelloOk server();

    boolean isConnected();

    boolean awaitConnected(Duration timeout) throws InterruptedException;

    void close(Duration drain);

    @Override
    void close();
}
