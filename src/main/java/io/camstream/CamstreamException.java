package io.camstream;

/**
 * Base of every error camstream reports on purpose. The message is written for the user: it names what was wrong
 * and, where there is one, what would be right. The CLI prints it and exits with status 2.
 */
public class CamstreamException extends RuntimeException {
    public CamstreamException(String message) {
        super(message);
    }

    public CamstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
