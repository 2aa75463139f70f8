package io.camstream.server;

/**
 * What clients are told when the server fails: which step failed and that the log has the rest. Exception texts
 * stay in the server's log, since they name library internals (OpenCV build paths, libtorch frames, Java classes)
 * that mean nothing to a client and tell an attacker about the server.
 */
final class InternalErrors {
    static final String DECODE = "the server failed while decoding the frame (details are in the server's log)";
    static final String COMPUTE = "the server failed while computing this request (details are in the server's log)";
    static final String ASSEMBLE = "the server failed while encoding the result (details are in the server's log)";

    private InternalErrors() {
    }
}
