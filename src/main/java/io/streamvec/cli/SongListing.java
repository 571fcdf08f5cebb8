package io.streamvec.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamvec.avro.Song;
import io.streamvec.song2vec.model.SongModelView;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** How the song commands print songs: one line per song with its title and artist, or JSON. */
final class SongListing {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SongListing() {}

    static Map<String, Song> songs(List<Song> songs) {
        Map<String, Song> byId = new HashMap<>(songs.size() * 2);
        for (Song song : songs) {
            byId.put(song.getId(), song);
        }
        return byId;
    }

    /** "Title — Artist", or the id alone when the song has no metadata. */
    static String describe(String songId, Map<String, Song> songs) {
        Song song = songs.get(songId);
        return song == null ? songId : songId + " " + song.getTitle() + " — " + song.getArtist();
    }

    /** One line per song: rank, id, score, then title and artist when known. */
    static void print(PrintWriter out, List<SongModelView.Neighbor> neighbors, Map<String, Song> songs, String indent) {
        int idWidth = neighbors.stream().mapToInt(n -> n.songId().length()).max().orElse(0);
        for (int i = 0; i < neighbors.size(); i++) {
            SongModelView.Neighbor neighbor = neighbors.get(i);
            Song song = songs.get(neighbor.songId());
            String score = String.format(Locale.ROOT, "%.4f", neighbor.score());
            score = score.equals("-0.0000") ? "0.0000" : score; // a score that rounds to zero prints unsigned
            out.println(String.format(Locale.ROOT, "%s%2d  %-" + idWidth + "s  %s%s", indent, i + 1,
                    neighbor.songId(), score,
                    song == null ? "" : "  " + song.getTitle() + " — " + song.getArtist()).stripTrailing());
        }
    }

    /** {"positive", "negative", "k", "unknown", "results": [{"id", "score", "title", "artist"}]}. */
    static String json(List<String> positive, List<String> negative, int k, SongModelView.Answer answer,
                       Map<String, Song> songs) throws JsonProcessingException {
        ObjectNode query = JSON.createObjectNode();
        positive.forEach(query.putArray("positive")::add);
        negative.forEach(query.putArray("negative")::add);
        query.put("k", k);
        answer.unknown().forEach(query.putArray("unknown")::add);
        ArrayNode results = query.putArray("results");
        for (SongModelView.Neighbor neighbor : answer.neighbors()) {
            Song song = songs.get(neighbor.songId());
            ObjectNode result = results.addObject();
            result.put("id", neighbor.songId());
            result.put("score", neighbor.score());
            result.put("title", song == null ? null : song.getTitle());
            result.put("artist", song == null ? null : song.getArtist());
        }
        return JSON.writeValueAsString(query);
    }
}
