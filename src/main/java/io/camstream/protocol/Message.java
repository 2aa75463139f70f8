package io.camstream.protocol;

/** One decoded frame. */
public sealed interface Message permits Hello, HelloOk, ExplainRequest, ExplainResult, ErrorMessage, Ping, Pong, Goodbye {
    Opcode opcode();

    /** The request this frame belongs to; 0 for the connection itself. */
    long requestId();
}
