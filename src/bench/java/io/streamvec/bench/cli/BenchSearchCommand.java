package io.streamvec.bench.cli;

import io.streamvec.bench.ClusteredVectors;
import io.streamvec.bench.DjlMatMulSearch;
import io.streamvec.bench.FaissSearch;
import io.streamvec.bench.MappedVectors;
import io.streamvec.bench.ScratchDir;
import io.streamvec.bench.SentenceCorpus;
import io.streamvec.text.model.BertSentenceEmbedder;
import io.streamvec.text.model.SearchKernels;
import io.streamvec.text.model.SearchMode;
import io.streamvec.text.model.TextEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.TextVectorIndex;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * streamvec's text index (exact fp32 and int8 with exact re-rank) and FAISS ({@code IndexFlatIP},
 * {@code IndexHNSWFlat} M=32) on the same clustered vectors and queries, size by size: single-query p50/p99, queries/s
 * of batched searches, p50/p99 from a text (the bundled model's embedding included, streamvec only), recall@10
 * against exact fp32, and bytes per text.
 */
@Command(name = "search", mixinStandardHelpOptions = true,
        description = "Benchmark the text index's vector search against FAISS on the same vectors (latency, q/s, "
                + "recall@10, bytes per text).")
final class BenchSearchCommand implements Callable<Integer> {

    @Option(names = "--sizes", split = ",", defaultValue = "10000,100000,1000000",
            description = "Index sizes in texts (default: ${DEFAULT-VALUE}).")
    int[] sizes;

    @Option(names = "--dim", defaultValue = "384", description = "Vector dimension (default: ${DEFAULT-VALUE}, MiniLM's).")
    int dim;

    @Option(names = "--queries", defaultValue = "200", description = "Vector queries per size (default: ${DEFAULT-VALUE}).")
    int queries;

    @Option(names = "--text-queries", defaultValue = "50",
            description = "Text queries per size and mode, embedded with the bundled model; 0 skips them "
                    + "(default: ${DEFAULT-VALUE}).")
    int textQueries;

    @Option(names = "--batch", defaultValue = "32", description = "Queries per batched search (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--k", defaultValue = "10", description = "Results per query (default: ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with faiss (python3-faiss).")
    String python;

    @Option(names = "--faiss-threads", defaultValue = "2", description = "FAISS OpenMP threads (default: ${DEFAULT-VALUE}).")
    int faissThreads;

    @Option(names = "--hnsw-ef-search", defaultValue = "64", description = "IndexHNSWFlat's efSearch (default: ${DEFAULT-VALUE}).")
    int efSearch;

    @Option(names = "--hnsw-max-size", defaultValue = "2147483647",
            description = "Skip IndexHNSWFlat (its build is slow) above this many texts (default: no limit).")
    int hnswMaxSize;

    @Option(names = "--rerank", description = "Candidates an int8 search re-ranks exactly (default: the index's, "
            + TextVectorIndex.RERANK_CANDIDATES + ").")
    int rerank = TextVectorIndex.RERANK_CANDIDATES;

    @Option(names = "--djl", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Also time exact search as a DJL PyTorch matrix product (default: ${DEFAULT-VALUE}).")
    boolean djl;

    @Option(names = "--skip-faiss", description = "Only run streamvec.")
    boolean skipFaiss;

    @Option(names = "--seed", defaultValue = "13", description = "Seed of the synthetic vectors (default: ${DEFAULT-VALUE}).")
    long seed;

    @Spec
    CommandSpec spec;

    private record Row(int size, String system, String index, double buildSeconds, double batchQps, double p50Ms,
                       double p99Ms, double textP50Ms, double textP99Ms, double recall, double searchBytes,
                       double heapBytes) {}

    @Override
    public Integer call() throws Exception {
        if (queries < 1 || batch < 1 || k < 1 || dim < 1 || textQueries < 0 || sizes.length == 0
                || Arrays.stream(sizes).anyMatch(n -> n < k)) {
            throw new ParameterException(spec.commandLine(), "--queries, --batch, --k and --dim must be >= 1, "
                    + "--text-queries >= 0, and every size >= k");
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean faiss = !skipFaiss && FaissSearch.available(python);
        if (!skipFaiss && !faiss) {
            out.println("WARNING: FAISS skipped: " + python + " cannot import faiss (apt-get install python3-faiss)");
        }
        out.printf(Locale.ROOT, "clustered unit vectors, dim %d, ~1,000 texts a topic; %d vector queries, k=%d; "
                + "streamvec kernels: %s, 1 searching thread; FAISS %d OpenMP threads%n", dim, queries, k,
                SearchKernels.describe(), faissThreads);
        out.flush();
        List<String> texts = textQueries == 0 ? List.of() : SentenceCorpus.generate(textQueries, seed);
        List<Row> rows = new ArrayList<>();
        try (ScratchDir scratch = ScratchDir.create("streamvec-bench-search");
             TextEmbedder embedder = textQueries == 0 ? null
                     : BertSentenceEmbedder.bundledOnCpu(TextTokenizer.DEFAULT_MAX_LENGTH)) {
            for (int n : sizes) {
                rows.addAll(size(out, scratch.path(), n, embedder, texts, faiss));
            }
        }
        out.println();
        out.printf(Locale.ROOT, "%9s | %-9s | %-31s | %8s | %8s | %8s | %8s | %9s | %9s | %9s | %8s | %8s%n", "texts",
                "system", "index", "build s", "q/s", "p50 ms", "p99 ms", "text p50", "text p99", "recall@10",
                "search B", "heap B");
        for (Row r : rows) {
            out.printf(Locale.ROOT, "%9d | %-9s | %-31s | %8.2f | %8.1f | %8.2f | %8.2f | %9s | %9s | %9.4f | %8.0f | %8s%n",
                    r.size(), r.system(), r.index(), r.buildSeconds(), r.batchQps(), r.p50Ms(), r.p99Ms(),
                    fmt(r.textP50Ms()), fmt(r.textP99Ms()), r.recall(), r.searchBytes(),
                    Double.isNaN(r.heapBytes()) ? "-" : String.format(Locale.ROOT, "%.0f", r.heapBytes()));
        }
        out.println("q/s: batches of " + batch + " queries (FAISS: all queries in one call); p50/p99: one query at a "
                + "time; text: the bundled model's embedding of the query included; search B: bytes per text the "
                + "scan reads (vectors, scales, timestamps); heap B: heap growth per text measured after GC (ids "
                + "and maps included, texts empty); recall@10 against streamvec's exact fp32 search");
        for (int n : sizes) {
            Row flat = find(rows, n, "IndexFlatIP");
            if (flat != null) {
                for (Row r : rows) {
                    if (r.size() == n && r.system().equals("streamvec")) {
                        out.printf(Locale.ROOT, "%d texts: streamvec %s single-query p50 %.2fx of FAISS IndexFlatIP's "
                                + "(%.2f vs %.2f ms)%n", n, r.index(), r.p50Ms() / flat.p50Ms(), r.p50Ms(), flat.p50Ms());
                    }
                }
            }
        }
        out.flush();
        return 0;
    }

    private static Row find(List<Row> rows, int n, String index) {
        return rows.stream().filter(r -> r.size() == n && r.index().startsWith(index)).findFirst().orElse(null);
    }

    private static String fmt(double ms) {
        return Double.isNaN(ms) ? "-" : String.format(Locale.ROOT, "%.2f", ms);
    }

    private List<Row> size(PrintWriter out, Path dir, int n, TextEmbedder embedder, List<String> texts, boolean faiss)
            throws Exception {
        ClusteredVectors generator = new ClusteredVectors(dim, ClusteredVectors.clustersFor(n), seed);
        Path vectorFile = dir.resolve("vectors-" + n + ".f32");
        Path queryFile = dir.resolve("queries-" + n + ".f32");
        generator.write(vectorFile, n, seed + 1);
        float[][] qs = generator.rows(queries, seed + 2);
        ClusteredVectors.write(queryFile, qs);
        MappedVectors mapped = new MappedVectors(vectorFile, dim);
        List<Row> rows = new ArrayList<>();

        int[][] truth = null;
        for (SearchMode mode : SearchMode.values()) {
            long heapBefore = usedHeap();
            long started = System.nanoTime();
            TextVectorIndex index = new TextVectorIndex(dim, mode, id -> mapped.row(row(id)), rerank);
            for (int r = 0; r < n; r++) {
                index.put(new TextVectorIndex.Entry("t" + r, "", mapped.row(r), r));
            }
            double build = (System.nanoTime() - started) / 1e9;
            double heap = (double) (usedHeap() - heapBefore) / n;
            int[][] found = new int[queries][];
            double[] ms = new double[queries];
            for (int w = 0; w < Math.min(20, queries); w++) { // warm-up
                index.search(qs[w], k, Long.MIN_VALUE, null);
            }
            for (int q = 0; q < queries; q++) {
                long t = System.nanoTime();
                List<TextVectorIndex.Hit> hits = index.search(qs[q], k, Long.MIN_VALUE, null);
                ms[q] = (System.nanoTime() - t) / 1e6;
                found[q] = hits.stream().mapToInt(h -> row(h.id())).toArray();
            }
            long t = System.nanoTime();
            for (int from = 0; from < queries; from += batch) {
                index.searchBatch(Arrays.copyOfRange(qs, from, Math.min(queries, from + batch)), k, Long.MIN_VALUE, null);
            }
            double qps = queries / ((System.nanoTime() - t) / 1e9);
            double[] textMs = new double[texts.size()];
            for (int i = 0; i < Math.min(5, texts.size()); i++) { // warm-up
                embedder.embedTexts(List.of(texts.get(i)));
            }
            for (int i = 0; i < texts.size(); i++) {
                long tt = System.nanoTime();
                float[] v = embedder.embedTexts(List.of(texts.get(i)))[0];
                index.search(generator.dim() == v.length ? v : Arrays.copyOf(v, dim), k, Long.MIN_VALUE, null);
                textMs[i] = (System.nanoTime() - tt) / 1e6;
            }
            if (mode == SearchMode.EXACT) {
                truth = found;
            }
            Row row = new Row(n, "streamvec", mode.configValue(), build, qps, percentile(ms, 50), percentile(ms, 99),
                    texts.isEmpty() ? Double.NaN : percentile(textMs, 50),
                    texts.isEmpty() ? Double.NaN : percentile(textMs, 99), recall(truth, found),
                    (double) index.searchBytes() / n, heap);
            print(out, row);
            rows.add(row);
            index = null; // dropped before the next index is built
        }
        if (djl) {
            rows.add(djl(out, n, mapped, qs, truth));
        }
        if (faiss) {
            List<String> kinds = n <= hnswMaxSize ? List.of("flat", "hnsw") : List.of("flat");
            for (FaissSearch.Result result : FaissSearch.run(python, dir, vectorFile, queryFile, dim, k, faissThreads,
                    kinds, efSearch)) {
                Row row = new Row(n, "FAISS", result.index(), result.buildSeconds(), result.batchQps(), result.p50Ms(),
                        result.p99Ms(), Double.NaN, Double.NaN, recall(truth, result.ids()), result.bytesPerVector(),
                        Double.NaN);
                print(out, row);
                rows.add(row);
            }
        }
        java.nio.file.Files.deleteIfExists(vectorFile);
        return rows;
    }

    /** Exact search as a DJL PyTorch matrix product: the alternative to the Vector API kernels. */
    private Row djl(PrintWriter out, int n, MappedVectors mapped, float[][] qs, int[][] truth) {
        try (DjlMatMulSearch search = new DjlMatMulSearch(mapped, dim)) {
            int[][] found = new int[queries][];
            double[] ms = new double[queries];
            for (int w = 0; w < Math.min(20, queries); w++) {
                search.search(new float[][] {qs[w]}, k);
            }
            for (int q = 0; q < queries; q++) {
                long t = System.nanoTime();
                found[q] = search.search(new float[][] {qs[q]}, k)[0];
                ms[q] = (System.nanoTime() - t) / 1e6;
            }
            long t = System.nanoTime();
            for (int from = 0; from < queries; from += batch) {
                search.search(Arrays.copyOfRange(qs, from, Math.min(queries, from + batch)), k);
            }
            double qps = queries / ((System.nanoTime() - t) / 1e9);
            Row row = new Row(n, "streamvec", "exact, DJL PyTorch matMul", 0, qps, percentile(ms, 50),
                    percentile(ms, 99), Double.NaN, Double.NaN, recall(truth, found), 4.0 * dim, Double.NaN);
            print(out, row);
            return row;
        }
    }

    private static void print(PrintWriter out, Row r) {
        out.printf(Locale.ROOT, "  %d texts, %s %s: p50 %.2f ms, p99 %.2f ms, %.1f q/s, recall@10 %.4f, %.0f B/text%n",
                r.size(), r.system(), r.index(), r.p50Ms(), r.p99Ms(), r.batchQps(), r.recall(), r.searchBytes());
        out.flush();
    }

    private static int row(String id) {
        return Integer.parseInt(id, 1, id.length(), 10);
    }

    private double recall(int[][] truth, int[][] found) {
        long hits = 0;
        for (int q = 0; q < truth.length; q++) {
            for (int id : found[q]) {
                for (int t : truth[q]) {
                    if (t == id) {
                        hits++;
                        break;
                    }
                }
            }
        }
        return (double) hits / ((long) truth.length * k);
    }

    private static double percentile(double[] values, int p) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static long usedHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
