package io.camstream.client;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/**
 * Says why a connection attempt failed in words a user can act on: Netty's exceptions carry class names and
 * native call names ("finishConnect(..) failed") that mean nothing to someone running the CLI.
 */
public final class ConnectFailures {
    private ConnectFailures() {
    }

    public static String describe(Throwable t, String address) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof RequestFailedException r) return r.getMessage();
            if (c instanceof io.netty.channel.ConnectTimeoutException) return "no answer from " + address + " (connection timed out)";
            if (c instanceof UnknownHostException) return "unknown host in " + address;
            if (c instanceof NoRouteToHostException) return "no route to " + address;
            if (c instanceof ConnectException) return "connection refused by " + address + " (is the server running, and on that port?)";
            if (c instanceof ClosedChannelException) return "the connection to " + address + " closed";
            if (c instanceof javax.net.ssl.SSLException s) return "TLS handshake with " + address + " failed: " + plain(s.getMessage());
        }
        return plain(t.getMessage());
    }

    /** A message without the native call's prefix. */
    private static String plain(String message) {
        if (message == null) return "unknown error";
        return message.replaceFirst("^\\w+\\(\\.\\.\\) failed: ", "");
    }
}
