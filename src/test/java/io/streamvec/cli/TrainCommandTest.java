package io.streamvec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamvec.song2vec.model.OfflineTraining;
import java.util.List;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

class TrainCommandTest {

    @Test
    void theSeedIsTheSongTasksSeed() {
        assertEquals(new TaskId(1, 0).hashCode(), TrainCommand.SEED);
    }

    @Test
    void theBarIsAsWideAsColumnsSaysOrEightyColumns() {
        assertEquals(79, TrainCommand.barWidth(null));
        assertEquals(79, TrainCommand.barWidth("wide"));
        assertEquals(79, TrainCommand.barWidth("-5"));
        assertEquals(119, TrainCommand.barWidth(" 120 "));
        assertEquals(19, TrainCommand.barWidth("3"));
    }

    @Test
    void eventsPerPlaylistOrPerSongNamedByPass() {
        List<List<String>> playlists = List.of(List.of("a", "b"), List.of("c"));
        assertEquals(List.of(new OfflineTraining.Event("p0", List.of("a", "b"), true),
                        new OfflineTraining.Event("p1", List.of("c"), true)),
                SongTraining.events(playlists, false, 1, OfflineTraining.Event::new));
        assertEquals(List.of(new OfflineTraining.Event("p0-0", List.of("a"), false),
                        new OfflineTraining.Event("p0-0", List.of("b"), true),
                        new OfflineTraining.Event("p1-0", List.of("c"), true),
                        new OfflineTraining.Event("p0-1", List.of("a"), false),
                        new OfflineTraining.Event("p0-1", List.of("b"), true),
                        new OfflineTraining.Event("p1-1", List.of("c"), true)),
                SongTraining.events(playlists, true, 2, OfflineTraining.Event::new));
        for (boolean perSong : new boolean[] {false, true}) {
            for (int passes = 1; passes <= 3; passes++) {
                assertEquals(SongTraining.events(playlists, perSong, passes).size(),
                        SongTraining.eventCount(playlists, perSong, passes), perSong + " " + passes);
            }
        }
        var avro = SongTraining.events(playlists, true, 1).get(0);
        assertEquals(List.of("p0", List.of("a"), false),
                List.of(avro.getPlaylistId(), avro.getSongIds(), avro.getPlaylistComplete()));
    }
}
