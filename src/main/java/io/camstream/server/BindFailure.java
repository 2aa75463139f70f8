package io.camstream.server;

import io.camstream.CamstreamException;

import java.util.Locale;

/**
 * A listener that could not open, said for the user: which address and option failed, why in words (not the
 * socket library's "bind(..) failed"), and what to do about it.
 */
final class BindFailure {
    private BindFailure() {
    }

    /**
     * @param what   what the listener is for, e.g. "the camstream protocol"
     * @param option the option that chose the port, e.g. "--port"
     * @param remedy what else the user can do, e.g. "or --metrics-port -1 to run without it"; may be empty
     */
    static CamstreamException of(String what, String host, int port, String option, String remedy, Throwable cause) {
        String reason = reason(cause, host, port);
        return new CamstreamException("cannot listen on " + host + ":" + port + " for " + what + " (" + option + "): " + reason
                + "; choose another " + option + remedy, cause);
    }

    private static String reason(Throwable cause, String host, int port) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(Locale.ROOT);
            if (m.contains("address already in use")) return "port " + port + " is already in use by another process";
            if (m.contains("permission denied") || m.contains("access denied")) {
                return "not permitted" + (port < 1024 ? " (ports below 1024 need administrator rights)" : "");
            }
            if (m.contains("cannot assign requested address")) return host + " is not an address of this machine";
        }
        String m = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
        return m.replaceFirst("^bind\\(\\.\\.\\) failed: ", "");
    }
}
