package io.camstream.server;

import io.camstream.CamstreamException;

/** A request the server cannot take on right now (a shared budget is used up): answered OVERLOADED, retryable. */
final class OverloadedException extends CamstreamException {
    OverloadedException(String message) {
        super(message);
    }
}
