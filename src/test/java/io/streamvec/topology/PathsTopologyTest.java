package io.streamvec.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamvec.StreamvecConfig;
import io.streamvec.kafka.TopicCatalog;
import io.streamvec.kafka.Topics;
import io.streamvec.serde.EmbeddedSchemaRegistry;
import io.streamvec.song2vec.stream.Song2vecSettings;
import io.streamvec.song2vec.stream.SongStores;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.stream.EmbedProcessor;
import io.streamvec.text.stream.TextStores;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

/** {@code streamvec.paths}: only the chosen subtopologies, stores and topics. */
class PathsTopologyTest {

    private static TopologyDescription describe(Paths paths) {
        Supplier<EmbeddingWorkers> noEmbedding = () -> {
            throw new AssertionError("building the topology loads no model");
        };
        Supplier<TextTokenizer> noTokenizer = () -> {
            throw new AssertionError("building the topology loads no tokenizer");
        };
        return StreamvecTopology.build(new StreamvecTopology.Parts(EmbeddedSchemaRegistry.bundled(), noTokenizer,
                noEmbedding, Song2vecSettings.defaults()).withPaths(paths)).describe();
    }

    /** Every node name, store name and source or sink topic of the description. */
    private static Set<String> names(TopologyDescription description) {
        Set<String> names = new HashSet<>();
        for (TopologyDescription.Subtopology sub : description.subtopologies()) {
            for (TopologyDescription.Node node : sub.nodes()) {
                names.add(node.name());
                if (node instanceof TopologyDescription.Processor processor) {
                    names.addAll(processor.stores());
                }
                if (node instanceof TopologyDescription.Source source) {
                    names.addAll(source.topicSet());
                }
                if (node instanceof TopologyDescription.Sink sink && sink.topic() != null) {
                    names.add(sink.topic());
                }
            }
        }
        for (TopologyDescription.GlobalStore global : description.globalStores()) {
            names.add(global.source().name());
            names.addAll(global.source().topicSet());
            names.addAll(global.processor().stores());
        }
        return names;
    }

    @Test
    void withSongsOnlyTheTextSubtopologyIsAbsent() {
        TopologyDescription songs = describe(Paths.SONGS_ONLY);
        Set<String> names = names(songs);
        assertEquals(1, songs.subtopologies().size(), songs.toString());
        assertEquals(1, songs.globalStores().size(), "the songs' metadata");
        for (String text : List.of(StreamvecTopology.TEXT_SOURCE, StreamvecTopology.TOKENIZE, StreamvecTopology.EMBED,
                StreamvecTopology.INDEX_TEXT, EmbedProcessor.STORE, EmbedProcessor.TEXTS_STORE, TextStores.TEXT_INDEX,
                Topics.TEXT_EVENTS, Topics.TEXT_TOKENS, Topics.TEXT_EMBEDDINGS, Topics.TEXT_NEIGHBORS)) {
            assertFalse(names.contains(text), text + " in " + songs);
        }
        for (String song : List.of(StreamvecTopology.PLAYLIST_SOURCE, StreamvecTopology.SONG2VEC, SongStores.MODEL,
                SongStores.PLAYLISTS, SongStores.SONG_METADATA, Topics.PLAYLIST_EVENTS, Topics.SONGS,
                Topics.MODEL_DELTAS)) {
            assertTrue(names.contains(song), song + " missing from " + songs);
        }
    }

    @Test
    void withTextOnlyTheSongSubtopologyIsAbsent() {
        TopologyDescription text = describe(Paths.parse(List.of("text")));
        Set<String> names = names(text);
        assertTrue(text.globalStores().isEmpty(), text.toString());
        assertTrue(names.contains(StreamvecTopology.EMBED) && names.contains(Topics.TEXT_EVENTS), text.toString());
        assertFalse(names.contains(StreamvecTopology.SONG2VEC) || names.contains(SongStores.MODEL)
                || names.contains(Topics.PLAYLIST_EVENTS), text.toString());
    }

    @Test
    void bothPathsByDefaultAsTheCommittedDescription() {
        assertEquals(Paths.ALL, new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:9092")).paths());
        assertEquals(describe(Paths.ALL).toString().strip(), StreamvecTopology.describe().strip());
    }

    @Test
    void theCatalogTopicsOfEachPath() {
        Set<String> songs = new HashSet<>();
        Set<String> text = new HashSet<>();
        for (String topic : TopicCatalog.load().names()) {
            if (Paths.SONGS_ONLY.needs(topic)) {
                songs.add(topic);
            }
            if (Paths.parse(List.of("text")).needs(topic)) {
                text.add(topic);
            }
            assertTrue(Paths.ALL.needs(topic), topic);
        }
        assertEquals(Set.of(Topics.PLAYLIST_EVENTS, Topics.SONGS, Topics.SONG_RECOMMENDATIONS, Topics.MODEL_DELTAS,
                Topics.DLQ), songs);
        assertEquals(Set.of(Topics.TEXT_EVENTS, Topics.TEXT_TOKENS, Topics.TEXT_EMBEDDINGS,
                Topics.TEXT_TOKEN_EMBEDDINGS, Topics.TEXT_NEIGHBORS, Topics.DLQ), text);
    }

    @Test
    void theConfigKeyIsValidated() {
        StreamvecConfig songs = new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:9092",
                StreamvecConfig.PATHS, " songs "));
        assertEquals(Paths.SONGS_ONLY, songs.paths());
        assertEquals(Paths.ALL, new StreamvecConfig(Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:9092",
                StreamvecConfig.PATHS, "songs,text")).paths());
        ConfigException unknown = assertThrows(ConfigException.class, () -> new StreamvecConfig(Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:9092", StreamvecConfig.PATHS, "text,video")));
        assertTrue(unknown.getMessage().contains("unknown path 'video'") && unknown.getMessage().contains("[text, songs]"),
                unknown.getMessage());
        ConfigException empty = assertThrows(ConfigException.class, () -> new StreamvecConfig(Map.of(
                StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "x:9092", StreamvecConfig.PATHS, "")));
        assertTrue(empty.getMessage().contains("no path chosen"), empty.getMessage());
    }
}
