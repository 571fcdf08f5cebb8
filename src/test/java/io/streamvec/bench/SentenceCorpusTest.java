package io.streamvec.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import java.util.HashSet;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SentenceCorpusTest {

    @Test
    void deterministicForASeedAndDifferentAcrossSeeds() {
        assertEquals(SentenceCorpus.generate(500), SentenceCorpus.generate(500));
        assertNotEquals(SentenceCorpus.generate(50, 1), SentenceCorpus.generate(50, 2));
    }

    @Test
    void realisticLengthsAndVariedVocabulary() {
        List<String> corpus = SentenceCorpus.generate(2000);
        assertEquals(2000, corpus.size());
        assertTrue(new HashSet<>(corpus).size() > 1990, "sentences should almost never repeat");
        IntSummaryStatistics lengths;
        Set<Long> vocabulary = new HashSet<>();
        try (TextTokenizer tokenizer = TextTokenizer.bundled(256)) {
            List<Tokens> tokens = tokenizer.tokenizeAll(corpus);
            lengths = tokens.stream().mapToInt(Tokens::size).summaryStatistics();
            tokens.forEach(t -> {
                for (long id : t.ids()) {
                    vocabulary.add(id);
                }
            });
        }
        assertTrue(lengths.getAverage() >= 20 && lengths.getAverage() <= 30, lengths.toString());
        assertTrue(lengths.getMin() >= 10 && lengths.getMax() <= 60, lengths.toString());
        assertTrue(vocabulary.size() > 400, "distinct token ids: " + vocabulary.size());
    }
}
