package io.camstream.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections, for the limits and for shutdown (GOODBYE to each, then wait for them to drain). A connection
 * still in its handshake counts against a limit of its own: sockets that never say HELLO cannot take the places of
 * clients that do.
 */
final class ConnectionRegistry {
    private final Set<Connection> handshaking = ConcurrentHashMap.newKeySet();
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final int max;
    private final int maxHandshaking;
    private final ServerMetrics metrics;

    ConnectionRegistry(int max, int maxHandshaking, ServerMetrics metrics) {
        this.max = max;
        this.maxHandshaking = maxHandshaking;
        this.metrics = metrics;
    }

    /** A new connection, before its HELLO; false when the server has its limit of them. */
    synchronized boolean tryAddHandshaking(Connection c) {
        if (handshaking.size() >= maxHandshaking) return false;
        handshaking.add(c);
        return true;
    }

    /** The connection completed its handshake; false (and no longer registered) when the server is at its limit. */
    synchronized boolean tryPromote(Connection c) {
        if (!handshaking.remove(c)) return false;
        if (open.size() >= max) return false;
        open.add(c);
        metrics.connectionOpened();
        return true;
    }

    void remove(Connection c) {
        handshaking.remove(c);
        if (open.remove(c)) metrics.connectionClosed();
    }

    /** Connections past their handshake. */
    Set<Connection> snapshot() {
        return Set.copyOf(open);
    }

    Set<Connection> handshakingSnapshot() {
        return Set.copyOf(handshaking);
    }

    int inFlight() {
        int n = 0;
        for (Connection c : open) n += c.inFlight();
        return n;
    }
}
