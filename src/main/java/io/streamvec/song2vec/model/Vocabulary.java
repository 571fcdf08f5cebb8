package io.streamvec.song2vec.model;

import java.util.HashMap;
import java.util.Map;

/**
 * Dynamic song-id -> dense row index map with running counts and a fixed capacity.
 *
 * <p>When the vocabulary is full the {@link FullPolicy} decides what happens to a new song:
 * <ul>
 *   <li>{@link FullPolicy#EVICT_LEAST_FREQUENT} (default): sampled LFU, as in Redis' approximated LFU.
 *       {@code evictionSample} random live slots are inspected and the one with the smallest count is
 *       recycled; ties go to the slot seen least recently, so the tail does not thrash. Rows admitted and
 *       not yet counted (count 0: their event is still being trained) are never recycled. Cost O(sample).
 *   <li>{@link FullPolicy#REFUSE}: new songs are ignored ({@link #admit} returns -1). Cheapest and never
 *       invalidates a row, but a catalogue that keeps growing (new releases) would never be embedded.
 * </ul>
 * Eviction recycles a row: the listener drops the row's sampling mass; {@link SgnsModel#admit} then
 * re-initialises the row (its count is 0 again) and the caller marks it changed.
 *
 * <p>Threading: {@link #admit}, {@link #indexOf} and {@link #restore} are synchronized. Counts are plain
 * longs incremented racily by concurrent trainers (Hogwild style; a lost increment is harmless).
 */
public final class Vocabulary {

    public enum FullPolicy { EVICT_LEAST_FREQUENT, REFUSE }

    /** Called when a slot is recycled for a new song. */
    public interface EvictionListener {
        void onEvict(int index, String oldId, String newId);
    }

    private final int capacity;
    private final FullPolicy policy;
    private final int evictionSample;
    private final Map<String, Integer> index;
    private final String[] ids;
    private final long[] counts;
    private final long[] lastSeen;
    private volatile int size;
    private long tick;
    private long rngState = 0x9E3779B97F4A7C15L;
    private EvictionListener listener;
    private long evictions;

    public Vocabulary(int capacity) {
        this(capacity, FullPolicy.EVICT_LEAST_FREQUENT, 16);
    }

    public Vocabulary(int capacity, FullPolicy policy, int evictionSample) {
        if (capacity <= 0) throw new IllegalArgumentException("capacity must be > 0");
        this.capacity = capacity;
        this.policy = policy;
        this.evictionSample = Math.max(1, evictionSample);
        this.index = new HashMap<>(Math.min(capacity, 1 << 20) * 2);
        this.ids = new String[capacity];
        this.counts = new long[capacity];
        this.lastSeen = new long[capacity];
    }

    public void setEvictionListener(EvictionListener listener) { this.listener = listener; }

    public int capacity() { return capacity; }

    public int size() { return size; }

    public long evictions() { return evictions; }

    /** Index of the song or -1 if unknown. */
    public synchronized int indexOf(String id) {
        Integer i = index.get(id);
        return i == null ? -1 : i;
    }

    /**
     * Returns the index of {@code id}, adding it (count 0) if new. Returns -1 if the vocabulary is full and
     * the policy is {@link FullPolicy#REFUSE}. Does not increment the count; see {@link #increment}.
     */
    public synchronized int admit(String id) {
        Integer existing = index.get(id);
        if (existing != null) return existing;
        int slot;
        if (size < capacity) {
            slot = size;
            size = size + 1;
        } else if (policy == FullPolicy.REFUSE) {
            return -1;
        } else {
            slot = victim();
            String old = ids[slot];
            index.remove(old);
            evictions++;
            if (listener != null) listener.onEvict(slot, old, id);
        }
        ids[slot] = id;
        counts[slot] = 0;
        lastSeen[slot] = ++tick;
        index.put(id, slot);
        return slot;
    }

    /**
     * The least frequent of {@code evictionSample} sampled slots, never one with count 0: such a row was
     * admitted for a song whose event has not been trained yet (its count rises when it is), and recycling
     * it would make two songs of one event share a row.
     */
    private int victim() {
        int best = -1;
        for (int s = 0; s < evictionSample * 4 && (best < 0 || s < evictionSample); s++) {
            rngState = Rng.splitmix(rngState);
            int c = (int) (((rngState >>> 32) * capacity) >>> 32);
            if (counts[c] == 0) {
                continue;
            }
            if (best < 0 || counts[c] < counts[best] || (counts[c] == counts[best] && lastSeen[c] < lastSeen[best])) {
                best = c;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("song2vec vocabulary is full of songs not trained yet: raise "
                    + "song2vec.capacity above the songs of the events in flight");
        }
        return best;
    }

    /**
     * Puts {@code id} back into {@code slot} with its count, as read from the durable model store after a
     * restart. Slots may arrive in any order; the vocabulary's size becomes the highest slot + 1 (gaps
     * are empty rows that are never sampled).
     */
    public synchronized void restore(int slot, String id, long count) {
        if (slot < 0 || slot >= capacity) {
            throw new IllegalArgumentException("row " + slot + " outside the capacity " + capacity);
        }
        if (ids[slot] != null) {
            index.remove(ids[slot]);
        }
        ids[slot] = id;
        counts[slot] = count;
        lastSeen[slot] = ++tick;
        index.put(id, slot);
        if (slot >= size) {
            size = slot + 1;
        }
    }

    /** Increments the running count and returns the new count (racy under concurrency, by design). */
    public long increment(int idx) {
        lastSeen[idx] = tick; // coarse recency: tick only advances on admission
        return ++counts[idx];
    }

    public long count(int idx) { return counts[idx]; }

    public String id(int idx) { return ids[idx]; }

    /** Direct view of the counts array (rows >= size() are unused). */
    long[] countsArray() { return counts; }
}
