package io.camstream.explain;

import io.camstream.CamstreamException;

/** The method needs a particular kind of classifier head (CAM: global average pooling and one linear layer). */
public class UnsupportedHeadException extends CamstreamException {
    public UnsupportedHeadException(String message) {
        super(message);
    }
}
