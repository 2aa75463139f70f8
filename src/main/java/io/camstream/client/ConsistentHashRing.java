package io.camstream.client;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Consistent hashing of 64-bit keys over named members: each member owns {@link #POINTS} points on a ring (from
 * SHA-256 of its name, so every client computes the same ring); a key belongs to the member of the first point at
 * or after the key's hash. Removing a member moves only its own keys, each to the member next on the ring.
 */
final class ConsistentHashRing<T> {
    static final int POINTS = 128;

    private final TreeMap<Long, Integer> points = new TreeMap<>();
    private final List<T> members;

    /** @param names one name per member (e.g. host:port), distinct */
    ConsistentHashRing(List<T> members, List<String> names) {
        if (members.isEmpty() || members.size() != names.size()) throw new IllegalArgumentException("one name per member, at least one member");
        this.members = List.copyOf(members);
        for (int m = 0; m < names.size(); m++) {
            for (int p = 0; p < POINTS; p++) points.putIfAbsent(sha256Long(names.get(m) + "#" + p), m);
        }
    }

    /** Every member once, in the order a key tries them: its owner first, then the next distinct members on the ring. */
    List<T> preference(long key) {
        List<T> out = new ArrayList<>(members.size());
        boolean[] seen = new boolean[members.size()];
        long h = mix(key);
        for (Map<Long, Integer> part : List.of(points.tailMap(h, true), points.headMap(h, false))) {
            for (int m : part.values()) {
                if (!seen[m]) {
                    seen[m] = true;
                    out.add(members.get(m));
                    if (out.size() == members.size()) return out;
                }
            }
        }
        return out;
    }

    /** The SplitMix64 finaliser: spreads consecutive stream ids over the whole ring. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static long sha256Long(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.wrap(d).getLong();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
