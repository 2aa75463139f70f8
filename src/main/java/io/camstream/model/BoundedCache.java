package io.camstream.model;

import java.util.LinkedHashMap;
import java.util.Map;

/** A map that forgets its least recently used entry beyond {@code limit} entries. */
final class BoundedCache<K, V> extends LinkedHashMap<K, V> {
    private final int limit;

    BoundedCache(int limit) {
        super(16, 0.75f, true);
        this.limit = limit;
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > limit;
    }
}
