package io.streamvec.song2vec.data;

import io.streamvec.avro.Song;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Playlists with planted structure for the demo and tests: {@code genres} groups of {@code songsPerGenre}
 * songs; each playlist draws its songs from one genre, with a small share of noise from the others. A
 * model that learns anything puts songs of one genre next to each other.
 */
public final class SyntheticPlaylists {

    private static final String[] GENRES = {"jazz", "metal", "folk", "techno", "opera", "reggae", "blues", "punk",
        "soul", "ambient", "salsa", "grunge"};

    private final int genres;
    private final int songsPerGenre;
    private final Random random;

    public SyntheticPlaylists(int genres, int songsPerGenre, long seed) {
        if (genres < 1 || genres > GENRES.length || songsPerGenre < 2) {
            throw new IllegalArgumentException("1.." + GENRES.length + " genres of at least 2 songs");
        }
        this.genres = genres;
        this.songsPerGenre = songsPerGenre;
        this.random = new Random(seed);
    }

    public static String songId(int genre, int song) {
        return GENRES[genre] + "-" + song;
    }

    /** The genre a song id belongs to. */
    public static String genreOf(String songId) {
        return songId.substring(0, songId.indexOf('-'));
    }

    /** Metadata for every song: title "<Genre> Tune #n", artist "The <Genre> Band n". */
    public List<Song> songs() {
        List<Song> songs = new ArrayList<>();
        for (int g = 0; g < genres; g++) {
            String name = Character.toUpperCase(GENRES[g].charAt(0)) + GENRES[g].substring(1);
            for (int s = 0; s < songsPerGenre; s++) {
                songs.add(new Song(songId(g, s), name + " Tune #" + s, "The " + name + " Band " + (s % 5 + 1)));
            }
        }
        return songs;
    }

    /** One playlist of {@code minLength}..{@code maxLength} songs, 95% from one genre. */
    public List<String> next(int minLength, int maxLength) {
        int genre = random.nextInt(genres);
        int length = minLength + random.nextInt(maxLength - minLength + 1);
        List<String> playlist = new ArrayList<>(length);
        for (int i = 0; i < length; i++) {
            int g = random.nextDouble() < 0.05 ? random.nextInt(genres) : genre;
            playlist.add(songId(g, random.nextInt(songsPerGenre)));
        }
        return playlist;
    }
}
