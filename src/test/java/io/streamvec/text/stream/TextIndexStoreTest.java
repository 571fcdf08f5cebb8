package io.streamvec.text.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.text.model.SearchMode;
import io.streamvec.text.model.TextVectorIndex;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The text index of one task: bounded by count and age (oldest by event time first), a re-sent id replaces its
 * entry, changes reach the durable store (and so the changelog) only at the pre-commit flush, evictions as
 * tombstones, and an index restored from the changelog's records alone answers every query the same.
 */
class TextIndexStoreTest {

    private static final int DIM = 16;

    /** The records the durable store was sent, in order, as its changelog would carry them (null: tombstone). */
    private final List<KeyValue<String, byte[]>> changelog = new ArrayList<>();

    @SuppressWarnings("unchecked")
    private KeyValueStore<String, byte[]> loggedRows() {
        KeyValueStore<String, byte[]> rows = plainRows();
        return (KeyValueStore<String, byte[]>) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {KeyValueStore.class}, (proxy, method, args) -> {
                    if (method.getName().equals("put")) {
                        changelog.add(KeyValue.pair((String) args[0], (byte[]) args[1]));
                    } else if (method.getName().equals("delete")) {
                        changelog.add(KeyValue.pair((String) args[0], null));
                    }
                    try {
                        return method.invoke(rows, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static KeyValueStore<String, byte[]> plainRows() {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore("text-index"), Serdes.String(),
                Serdes.ByteArray()).withLoggingDisabled().withCachingDisabled().build();
    }

    private static TextIndexStore open(KeyValueStore<String, byte[]> rows, int maxTexts, long retentionMs) {
        return open(rows, new TextIndexSettings(maxTexts, retentionMs, false, 0.9f, 10));
    }

    private static TextIndexStore open(KeyValueStore<String, byte[]> rows, TextIndexSettings settings) {
        TextIndexStore store = new TextIndexStore("text-index", rows, settings);
        store.init(new MockProcessorContext<>().getStateStoreContext(), store);
        store.open();
        return store;
    }

    private static float[] vector(Random random) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static TextVectorIndex.Entry entry(String id, long ts, Random random) {
        return new TextVectorIndex.Entry(id, "text of " + id, vector(random), ts);
    }

    private static Set<String> ids(TextIndexStore store, float[] query) {
        Set<String> ids = new HashSet<>();
        store.search(query, 1000, Long.MIN_VALUE, null).forEach(hit -> ids.add(hit.id()));
        return ids;
    }

    @Test
    void pastMaxTextsTheOldestByEventTimeIsEvictedWithATombstone() {
        Random random = new Random(1);
        TextIndexStore store = open(loggedRows(), 3, 0);
        for (long ts : new long[] {50, 10, 40, 20, 30}) {
            store.put(entry("t" + ts, ts, random));
        }
        assertEquals(3, store.size());
        assertEquals(Set.of("t30", "t40", "t50"), ids(store, vector(random)));
        assertTrue(changelog.isEmpty(), "nothing reaches the durable store before the pre-commit flush");
        store.flushCache();
        assertEquals(3, store.durableEntries());
        Set<String> tombstones = new HashSet<>();
        changelog.stream().filter(r -> r.value == null).forEach(r -> tombstones.add(r.key));
        assertEquals(Set.of("t10", "t20"), tombstones, "the evicted texts leave tombstones");
    }

    @Test
    void textsOlderThanTheRetentionBeforeTheNewestAreEvicted() {
        Random random = new Random(2);
        TextIndexStore store = open(loggedRows(), 100, 1_000);
        store.put(entry("a", 10_000, random));
        store.put(entry("b", 10_500, random));
        store.put(entry("c", 9_600, random)); // within the retention of the newest (10,500): kept
        assertEquals(Set.of("a", "b", "c"), ids(store, vector(random)));
        store.put(entry("d", 11_200, random)); // 10,200 is the oldest kept now
        assertEquals(Set.of("b", "d"), ids(store, vector(random)));
        store.put(entry("late", 5_000, random)); // older than the retention on arrival
        assertEquals(Set.of("b", "d"), ids(store, vector(random)));
        store.flushCache();
        assertEquals(2, store.durableEntries());
    }

    @Test
    void aReSentIdReplacesItsEntry() {
        Random random = new Random(3);
        TextIndexStore store = open(loggedRows(), 100, 0);
        TextVectorIndex.Entry first = entry("x", 100, random);
        store.put(first);
        store.put(entry("y", 100, random));
        TextVectorIndex.Entry again = new TextVectorIndex.Entry("x", "the new text", vector(random), 200);
        store.put(again);
        assertEquals(2, store.size());
        List<TextVectorIndex.Hit> hits = store.search(again.vector(), 5, Long.MIN_VALUE, null);
        assertEquals("x", hits.get(0).id());
        assertEquals("the new text", hits.get(0).text());
        assertEquals(200, hits.get(0).timestampMs());
        assertEquals(1f, hits.get(0).score(), 1e-5f);
        assertEquals(1, hits.stream().filter(h -> h.id().equals("x")).count(), "one entry per id");
        // The old vector finds the new entry's id at its new score, not a second x.
        List<TextVectorIndex.Hit> old = store.search(first.vector(), 5, Long.MIN_VALUE, null);
        assertEquals(1, old.stream().filter(h -> h.id().equals("x")).count());
        store.flushCache();
        assertEquals(2, store.durableEntries());
        byte[] lastOfX = changelog.stream().filter(r -> r.key.equals("x")).reduce((a, b) -> b).orElseThrow().value;
        assertEquals("the new text", TextIndexStore.decode("x", lastOfX).text());
        assertEquals(1, changelog.stream().filter(r -> r.key.equals("x")).count(), "one record per id and commit");
    }

    @Test
    void theIndexRestoredFromTheChangelogAloneAnswersTheSame() {
        Random random = new Random(4);
        TextIndexStore live = open(loggedRows(), 150, 400_000);
        for (int i = 0; i < 600; i++) {
            // ids repeat (re-sent texts), times mostly rise with some late ones; a commit every 37 texts
            String id = "t" + random.nextInt(400);
            long ts = i * 1_000L - (random.nextInt(10) == 0 ? 300_000 : 0);
            live.put(new TextVectorIndex.Entry(id, "text " + i + " of " + id, vector(random), ts));
            if (i % 37 == 0) {
                live.flushCache();
            }
        }
        live.flushCache();

        // Restoration replays the changelog's records into an empty store: the last record per key wins.
        KeyValueStore<String, byte[]> restoredRows = plainRows();
        restoredRows.init(new MockProcessorContext<>().getStateStoreContext(), restoredRows);
        for (KeyValue<String, byte[]> record : changelog) {
            if (record.value == null) {
                restoredRows.delete(record.key);
            } else {
                restoredRows.put(record.key, record.value);
            }
        }
        TextIndexStore restored = open(restoredRows, 150, 400_000);

        assertEquals(live.size(), restored.size());
        assertTrue(live.size() <= 150);
        for (int q = 0; q < 30; q++) {
            float[] query = vector(random);
            long since = q % 3 == 0 ? 450_000 : Long.MIN_VALUE;
            List<TextVectorIndex.Hit> a = live.search(query, 10, since, null);
            List<TextVectorIndex.Hit> b = restored.search(query, 10, since, null);
            assertEquals(a.stream().map(TextVectorIndex.Hit::id).toList(), b.stream().map(TextVectorIndex.Hit::id).toList());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(a.get(i).score(), b.get(i).score(), 1e-6f);
                assertEquals(a.get(i).text(), b.get(i).text());
                assertEquals(a.get(i).timestampMs(), b.get(i).timestampMs());
            }
        }
        // And it goes on evicting the same way.
        TextVectorIndex.Entry next = new TextVectorIndex.Entry("new", "new", vector(random), 700_000);
        live.put(next);
        restored.put(next);
        assertEquals(ids(live, next.vector()), ids(restored, next.vector()));
    }

    @Test
    void anInt8IndexReRanksFromUnflushedAndDurableVectorsAndAnswersLikeTheExactOne() {
        Random random = new Random(5);
        TextIndexSettings exactSettings = new TextIndexSettings(1000, 0, false, 0.9f, 10);
        TextIndexStore exact = open(plainRows(), exactSettings);
        TextIndexStore int8 = open(loggedRows(), exactSettings.withSearch(SearchMode.INT8));
        for (int i = 0; i < 300; i++) {
            TextVectorIndex.Entry e = entry("t" + i, i, random);
            exact.put(e);
            int8.put(e);
            if (i == 150) {
                int8.flushCache(); // half re-ranked from the durable store, half from the unflushed puts
            }
        }
        assertEquals(151, int8.durableEntries());
        for (int round = 0; round < 2; round++) {
            for (int q = 0; q < 20; q++) {
                float[] query = vector(random);
                List<TextVectorIndex.Hit> a = exact.search(query, 10, Long.MIN_VALUE, null);
                List<TextVectorIndex.Hit> b = int8.search(query, 10, Long.MIN_VALUE, null);
                assertEquals(a.stream().map(TextVectorIndex.Hit::id).toList(),
                        b.stream().map(TextVectorIndex.Hit::id).toList());
                for (int i = 0; i < a.size(); i++) {
                    assertEquals(a.get(i).score(), b.get(i).score(), 1e-5f);
                }
            }
            assertArrayEquals(exact.get("t200").orElseThrow().vector(), int8.get("t200").orElseThrow().vector(), 1e-6f);
            int8.flushCache(); // the second round reads every vector from the durable store
        }
        assertEquals(300L * (DIM + 4 + 8), int8.searchBytes());
        assertTrue(int8.searchBytes() * 2 < exact.searchBytes(), int8.searchBytes() + " vs " + exact.searchBytes());
    }

    @Test
    void anEntryRoundTripsThroughItsEncoding() {
        float[] v = {1.5f, -0f, Float.MIN_VALUE, 3e38f};
        TextVectorIndex.Entry entry = new TextVectorIndex.Entry("id é", "naïve café 😀", v, -5);
        TextVectorIndex.Entry back = TextIndexStore.decode("id é", TextIndexStore.encode(entry));
        assertEquals(entry.text(), back.text());
        assertEquals(entry.timestampMs(), back.timestampMs());
        assertArrayEquals(v, back.vector());
        assertFalse(back.text().isEmpty());
    }

    @Test
    void theVectorAloneDecodesAsTheWholeEntryDoesWhateverTheText() {
        Random random = new Random(11);
        List<String> texts = List.of("", "a", "naïve café 😀", "日本語のテキスト", "x".repeat(1000), "😀".repeat(500));
        for (String text : texts) {
            for (int dim : new int[] {0, 1, DIM, 384}) {
                float[] v = new float[dim];
                for (int i = 0; i < dim; i++) {
                    v[i] = (float) random.nextGaussian();
                }
                byte[] row = TextIndexStore.encode(new TextVectorIndex.Entry("id", text, v, 7));
                float[] alone = TextIndexStore.decodeVector("id", row);
                assertArrayEquals(TextIndexStore.decode("id", row).vector(), alone, text + " / " + dim);
                assertArrayEquals(v, alone, text + " / " + dim);
                assertEquals(text, TextIndexStore.decode("id", row).text());
            }
        }
    }

    @Test
    void aCorruptRowFailsToDecodeWithItsIdAndWhatIsWrong() {
        byte[] row = TextIndexStore.encode(new TextVectorIndex.Entry("id", "naïve", new float[] {1, 2, 3}, 7));
        List<byte[]> corrupt = new ArrayList<>();
        corrupt.add(new byte[0]);
        corrupt.add(Arrays.copyOf(row, 11)); // cut in the text's length
        corrupt.add(Arrays.copyOf(row, 15)); // cut before the dimension
        corrupt.add(Arrays.copyOf(row, row.length - 1)); // the last float cut
        corrupt.add(Arrays.copyOf(row, row.length + 4)); // bytes past the vector
        corrupt.add(withInt(row, 8, -1)); // a negative text length
        corrupt.add(withInt(row, 8, row.length)); // a text longer than the row
        corrupt.add(withInt(row, 8 + 4 + "naïve".getBytes(StandardCharsets.UTF_8).length, 4)); // one float too many
        corrupt.add(withInt(row, 8 + 4 + "naïve".getBytes(StandardCharsets.UTF_8).length, -3));
        for (byte[] bad : corrupt) {
            IllegalArgumentException alone = assertThrows(IllegalArgumentException.class,
                    () -> TextIndexStore.decodeVector("t9", bad));
            assertTrue(alone.getMessage().contains("'t9'") && alone.getMessage().contains("corrupt"),
                    alone.getMessage());
            IllegalArgumentException whole = assertThrows(IllegalArgumentException.class,
                    () -> TextIndexStore.decode("t9", bad));
            assertEquals(alone.getMessage(), whole.getMessage());
        }
    }

    private static byte[] withInt(byte[] row, int at, int value) {
        byte[] copy = row.clone();
        ByteBuffer.wrap(copy).putInt(at, value);
        return copy;
    }

    @Test
    void aTextIsClippedTo1000CharactersWithoutSplittingASurrogatePair() {
        assertEquals("short", TextIndexSettings.clipped("short"));
        assertEquals(1000, TextIndexSettings.clipped("x".repeat(5000)).length());
        String emoji = "x".repeat(999) + "😀" + "y";
        assertEquals("x".repeat(999), TextIndexSettings.clipped(emoji));
    }
}
