package io.streamvec.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The search's word matching: every word of the query, in the title or the artist, whatever the case and accents. */
class SongSearchTest {

    @Test
    void foldsCaseAccentsAndApostrophes() {
        assertEquals("beyonce halo", SongSearch.fold("  Beyoncé — HALO! "));
        assertEquals("dont stop believin", SongSearch.fold("Don't Stop Believin’"));
        assertEquals("gucci time w swizz beatz", SongSearch.fold("Gucci Time (w\\/ Swizz Beatz)"));
        assertEquals("ac dc", SongSearch.fold("AC/DC"));
        assertEquals("sigur ros agust ægir", SongSearch.fold("Sigur Rós Ágúst Ægir"));
        assertEquals("", SongSearch.fold(null));
        assertEquals(List.of("billie", "jean"), SongSearch.words("BILLIE jean"));
        assertEquals(List.of(), SongSearch.words(" ?! "));
    }

    @Test
    void everyWordOfTheQueryIsAWordOfTheTitleOrArtist() {
        SongSearch billie = new SongSearch("billie jean");
        assertTrue(billie.matches("Billie Jean", "Michael Jackson"));
        assertTrue(new SongSearch("jean michael").matches("Billie Jean", "Michael Jackson"), "title and artist words");
        assertFalse(billie.matches("Billie", "Jeanette"), "whole words only");
        assertFalse(new SongSearch("jack").matches("Billie Jean", "Michael Jackson"));
        assertTrue(new SongSearch("BEYONCE").matches("Halo", "Beyoncé"));
        assertTrue(new SongSearch("dont stop").matches("Don't Stop Believin'", "Journey"));
        assertTrue(new SongSearch("don't").matches("Don't Stop Believin'", "Journey"));
        assertFalse(billie.matches(null, null));
    }
}
