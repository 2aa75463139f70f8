package io.camstream.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Open connections, for the connection limit and for shutdown (GOODBYE to each, then wait for them to drain). */
final class ConnectionRegistry {
    private final Set<Connection> open = ConcurrentHashMap.newKeySet();
    private final int max;
    private final ServerMetrics metrics;

    ConnectionRegistry(int max, ServerMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    /** False when the server is at its connection limit. */
    synchronized boolean tryAdd(Connection c) {
        if (open.size() >= max) return false;
        open.add(c);
        metrics.connectionOpened();
        return true;
    }

    void remove(Connection c) {
        if (open.remove(c)) metrics.connectionClosed();
    }

    Set<Connection> snapshot() {
        return Set.copyOf(open);
    }

    int inFlight() {
        int n = 0;
        for (Connection c : open) n += c.inFlight();
        return n;
    }
}
