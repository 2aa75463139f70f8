package io.camstream;

/** The caller's input (image, tensor, option value) cannot be used; retrying the same input will not help. */
public class InvalidInputException extends CamstreamException {
    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
