package io.camstream.model;

import io.camstream.CamstreamException;

/** The model file is missing, unreadable, not TorchScript, or produces something other than logits. */
public class ModelLoadException extends CamstreamException {
    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
