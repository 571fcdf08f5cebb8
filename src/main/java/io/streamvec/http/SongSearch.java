package io.streamvec.http;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Word matching for {@code GET /songs?query=}: a song matches when every word of the query is a word of its title
 * or artist, ignoring case and accents ("beyonce" finds "Beyoncé") and apostrophes ("dont" finds "Don't").
 * Words are runs of letters and digits. Pure: no state.
 */
final class SongSearch {

    private final List<String> words;

    SongSearch(String query) {
        this.words = words(query);
    }

    /** The query's words, folded. */
    List<String> words() {
        return words;
    }

    /** Whether every word of the query is a word of the title or the artist (either may be null). */
    boolean matches(String title, String artist) {
        String text = " " + fold(title) + " " + fold(artist) + " ";
        for (String word : words) {
            if (!text.contains(" " + word + " ")) {
                return false;
            }
        }
        return true;
    }

    /** The folded words of {@code text}. */
    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        for (String word : fold(text).split(" ")) {
            if (!word.isEmpty()) {
                out.add(word);
            }
        }
        return out;
    }

    /**
     * Lower case, accents and apostrophes removed, every other run of characters that are not letters or digits a
     * single space. ASCII text (most titles) takes a fast path without Unicode normalisation.
     */
    static String fold(String text) {
        if (text == null) {
            return "";
        }
        boolean ascii = text.chars().allMatch(c -> c < 128);
        String base = ascii ? text : Normalizer.normalize(text, Normalizer.Form.NFD);
        StringBuilder out = new StringBuilder(base.length());
        boolean space = true;
        for (int i = 0; i < base.length(); ) {
            int c = base.codePointAt(i);
            i += Character.charCount(c);
            if (c == '\'' || c == '\u2019' || c == '`' || Character.getType(c) == Character.NON_SPACING_MARK
                    || Character.getType(c) == Character.COMBINING_SPACING_MARK
                    || Character.getType(c) == Character.ENCLOSING_MARK) {
                continue;
            }
            if (Character.isLetterOrDigit(c)) {
                out.appendCodePoint(Character.toLowerCase(c));
                space = false;
            } else if (!space) {
                out.append(' ');
                space = true;
            }
        }
        int end = out.length();
        if (end > 0 && out.charAt(end - 1) == ' ') {
            out.setLength(end - 1);
        }
        return ascii ? out.toString() : out.toString().toLowerCase(Locale.ROOT);
    }
}
