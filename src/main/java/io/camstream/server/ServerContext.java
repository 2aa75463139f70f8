package io.camstream.server;

import io.camstream.protocol.HelloOk;

/** What every connection's handlers share. */
record ServerContext(ServerConfig config, HelloOk helloOk, ServerMetrics metrics, RequestPipeline pipeline,
                     RequestValidator validator, ConnectionRegistry connections,
                     ResultBuffer results) {
}
