package io.streamvec.cli;

import io.streamvec.avro.Song;
import io.streamvec.song2vec.data.PlaylistFile;
import io.streamvec.song2vec.data.Word2vecFile;
import io.streamvec.song2vec.model.NeighborIndex;
import io.streamvec.song2vec.model.SongModelView;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** gensim's {@code KeyedVectors.most_similar} over a word2vec file, with titles and artists. */
@Command(name = "similar", mixinStandardHelpOptions = true,
        description = "The songs most similar to songs in a word2vec vector file (text or binary, as `train` or "
                + "gensim's save_word2vec_format write it), as gensim's most_similar(positive=ID..., "
                + "negative=--negative...) answers: one line per song (rank, id, score, title, artist), or with "
                + "--json one JSON object {\"positive\", \"negative\", \"k\", \"unknown\", \"results\"}.")
final class SimilarCommand implements Callable<Integer> {

    @Option(names = "--vectors", required = true, paramLabel = "FILE", description = "word2vec text or binary file.")
    Path vectorsFile;

    @Option(names = "--songs", paramLabel = "FILE", description = "Song titles and artists (song_hash.txt format).")
    Path songsFile;

    @Option(names = "--negative", paramLabel = "ID", description = "A song to move away from (repeatable).")
    List<String> negative = new ArrayList<>();

    @Option(names = "--k", defaultValue = "10", paramLabel = "N", description = "Songs to answer, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--json", description = "One JSON object instead of one line per song.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "ID", description = "Songs to move towards (gensim's positive).")
    List<String> positive;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (k < 1 || k > 1000) {
            throw new IllegalArgumentException("--k must be from 1 to 1000");
        }
        Word2vecFile.Vectors vectors = Word2vecFile.read(vectorsFile);
        NeighborIndex index = NeighborIndex.of(vectors.ids(), vectors.counts(), vectors.values(), vectors.dim());
        Map<String, Song> songs = SongListing.songs(songsFile == null ? List.of() : PlaylistFile.readSongs(songsFile));
        SongModelView.Answer answer = index.mostSimilar(positive, negative, k).orElseThrow(() ->
                new IllegalArgumentException("none of the songs " + String.join(", ", positive) + " is in "
                        + vectorsFile));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(SongListing.json(positive, negative, k, answer, songs));
        } else {
            for (String unknown : answer.unknown()) {
                spec.commandLine().getErr().println("unknown song (not in " + vectorsFile + "): " + unknown);
            }
            spec.commandLine().getErr().flush();
            SongListing.print(out, answer.neighbors(), songs, "");
        }
        out.flush();
        return 0;
    }
}
