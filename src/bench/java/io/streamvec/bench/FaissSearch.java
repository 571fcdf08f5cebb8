package io.streamvec.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The search benchmark's anchor: {@code faiss_search.py} (Debian's {@code python3-faiss}) run on the same vector
 * and query files; one {@link Result} per FAISS index.
 */
public final class FaissSearch {

    private FaissSearch() {}

    /** One FAISS index's figures; {@code ids} holds each query's k row numbers, best first. */
    public record Result(String index, double buildSeconds, double p50Ms, double p99Ms, double batchQps,
                         double bytesPerVector, int[][] ids) {}

    /** True when {@code python} imports faiss. */
    public static boolean available(String python) {
        try {
            Process p = new ProcessBuilder(python, "-c", "import faiss").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public static List<Result> run(String python, Path dir, Path vectors, Path queries, int dim, int k, int threads,
                                   List<String> kinds, int efSearch) throws IOException, InterruptedException {
        Path script = dir.resolve("faiss_search.py");
        if (!Files.exists(script)) {
            try (InputStream in = FaissSearch.class.getResourceAsStream("/bench/faiss_search.py")) {
                Files.copy(in, script);
            }
        }
        Process process = new ProcessBuilder(python, script.toString(), vectors.toString(), queries.toString(),
                Integer.toString(dim), Integer.toString(k), Integer.toString(threads), String.join(",", kinds),
                Integer.toString(efSearch)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Result> results = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode node = json.readTree(line);
                JsonNode idsNode = node.get("ids");
                int[][] ids = new int[idsNode.size()][];
                for (int q = 0; q < ids.length; q++) {
                    ids[q] = new int[idsNode.get(q).size()];
                    for (int i = 0; i < ids[q].length; i++) {
                        ids[q][i] = idsNode.get(q).get(i).asInt();
                    }
                }
                results.add(new Result(node.get("index").asText(), node.get("build_seconds").asDouble(),
                        node.get("p50_ms").asDouble(), node.get("p99_ms").asDouble(), node.get("batch_qps").asDouble(),
                        node.get("bytes_per_vector").asDouble(), ids));
            }
        }
        if (process.waitFor() != 0) {
            throw new IllegalStateException("faiss_search.py failed (is python3-faiss installed for " + python + "?)");
        }
        return results;
    }
}
