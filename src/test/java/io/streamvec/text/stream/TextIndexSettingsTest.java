package io.streamvec.text.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.text.model.SearchMode;
import org.junit.jupiter.api.Test;

class TextIndexSettingsTest {

    private static final long MB = 1L << 20;

    @Test
    void theIndexAtItsBoundIsEstimatedPerSearchMode() {
        TextIndexSettings exact = TextIndexSettings.defaults();
        assertEquals(100_000L * (4 * 384 + 8 + 64), exact.heapBytesPerTask(384));
        assertEquals(100_000L * (384 + 4 + 8 + 64), exact.withSearch(SearchMode.INT8).heapBytesPerTask(384));
    }

    @Test
    void aHeapTooSmallForTheDefaultBoundIsWarnedOfWithWhatToChange() {
        // 4 partitions x 100,000 texts x 384 dimensions: ~613 MB, more than half of a 768 MB heap
        String warning = TextIndexSettings.defaults().heapWarning(4, 384, 768 * MB).orElseThrow();
        assertTrue(warning.startsWith("the text index may grow to 613 MB of heap (4 text-events partitions x "
                + "text.index.max.texts=100000 x 384-dimensional vectors"), warning);
        assertTrue(warning.contains("half of the 768 MB") && warning.contains("text.index.search=int8 (175 MB)")
                && warning.contains("-Xmx"), warning);
    }

    @Test
    void anIndexThatFitsIsNotWarnedOf() {
        assertTrue(TextIndexSettings.defaults().heapWarning(4, 384, 2048 * MB).isEmpty(), "613 MB of 2 GB");
        assertTrue(TextIndexSettings.defaults().withSearch(SearchMode.INT8).heapWarning(4, 384, 768 * MB).isEmpty());
        assertTrue(TextIndexSettings.defaults().heapWarning(0, 384, 768 * MB).isEmpty(), "partitions unknown");
        TextIndexSettings small = new TextIndexSettings(10_000, TextIndexSettings.DEFAULT_RETENTION_MS, false, 0.9f, 10);
        assertTrue(small.heapWarning(4, 384, 768 * MB).isEmpty(), "the bound a soak runs with");
    }
}
