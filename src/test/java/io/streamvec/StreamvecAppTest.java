package io.streamvec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StreamvecAppTest {

    private static StreamvecConfig config(Map<String, Object> overrides) {
        Map<String, Object> properties = new HashMap<>(overrides);
        properties.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        return new StreamvecConfig(properties);
    }

    @Test
    void theTokensBranchUsesTheModelsTokenizerOnlyWhenItIsTheSameTokenizer() {
        assertTrue(StreamvecApp.tokensMayUseModelTokenizer(config(Map.of())), "bundled tokenizer, bundled model");
        assertFalse(StreamvecApp.tokensMayUseModelTokenizer(config(Map.of(StreamvecConfig.TOKENIZER_PATH, "/t.json"))));
        assertFalse(StreamvecApp.tokensMayUseModelTokenizer(config(Map.of(StreamvecConfig.EMBEDDING_MODEL_PATH, "/m"))));
        assertFalse(StreamvecApp.tokensMayUseModelTokenizer(config(Map.of(StreamvecConfig.TOKENIZER_MAX_LENGTH, 128))),
                "another maximum length truncates differently");
    }
}
