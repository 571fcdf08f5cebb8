package io.streamvec.song2vec.stream;

import io.streamvec.avro.Song;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.TimestampedKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;

/** Keeps the global {@value SongStores#SONG_METADATA} store in step with the compacted songs topic. */
public final class SongMetadataProcessor implements Processor<String, Song, Void, Void> {

    private TimestampedKeyValueStore<String, Song> store;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        store = context.getStateStore(SongStores.SONG_METADATA);
    }

    @Override
    public void process(Record<String, Song> record) {
        String id = record.key() != null ? record.key() : record.value() == null ? null : record.value().getId();
        if (id == null) {
            return; // a tombstone without a key names no song
        }
        if (record.value() == null) {
            store.delete(id);
        } else {
            store.put(id, ValueAndTimestamp.make(record.value(), record.timestamp()));
        }
    }
}
