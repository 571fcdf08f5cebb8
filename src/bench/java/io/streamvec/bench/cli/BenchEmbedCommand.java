package io.streamvec.bench.cli;

import ai.djl.engine.Engine;
import ai.onnxruntime.OrtEnvironment;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.streamvec.bench.EmbedThroughput;
import io.streamvec.bench.EndToEndThroughput;
import io.streamvec.bench.Median;
import io.streamvec.bench.SentenceCorpus;
import io.streamvec.text.model.BertSentenceEmbedder;
import io.streamvec.text.model.BundledModel;
import io.streamvec.text.model.EmbeddingWorkers;
import io.streamvec.text.model.NativeTuning;
import io.streamvec.bench.OnnxRuntimeEmbedder;
import io.streamvec.text.model.TextEmbedder;
import io.streamvec.text.model.TextTokenizer;
import io.streamvec.text.model.Tokens;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.DoubleSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code bench embed}: sentence-embedding throughput of streamvec's DJL/PyTorch encoder against the ONNX
 * Runtime anchor (same ONNX file, tokenization, length-sorted sub-batches and pooling), in one process on
 * one generated corpus, engines interleaved within each pass; then the end-to-end rate through an
 * in-process broker and the real topology.
 */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Sentence-embedding throughput: DJL/PyTorch (streamvec) vs ONNX Runtime (anchor) at several "
                + "batch sizes, then end to end through an in-process Kafka broker.")
final class BenchEmbedCommand implements Callable<Integer> {

    /** ONNX Runtime's padded sub-batch within a flush: its fastest measured (16 beat 8 and 32 here). */
    static final int ORT_SUB_BATCH = 16;
    static final int E2E_BATCH = 32;
    static final long E2E_LINGER_MS = 20;

    @Option(names = "--sentences", defaultValue = "2000", description = "Corpus size (default: ${DEFAULT-VALUE}).")
    int sentences;

    @Option(names = "--passes", defaultValue = "3", description = "Timed passes per engine and batch size; the "
            + "median is reported (default: ${DEFAULT-VALUE}).")
    int passes;

    @Option(names = "--batch-sizes", defaultValue = "1,32,128", split = ",", paramLabel = "N[,N...]",
            description = "Texts per embed call (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--skip-e2e", description = "Skip the end-to-end run through the embedded broker.")
    boolean skipE2e;

    @Option(names = "--e2e-rounds", defaultValue = "3", description = "Timed end-to-end rounds after the warm-up; "
            + "the median is reported (default: ${DEFAULT-VALUE}).")
    int e2eRounds;

    @Option(names = "--e2e-timeout", defaultValue = "PT5M", paramLabel = "DURATION",
            description = "Limit for the end-to-end run (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration e2eTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (sentences < 1 || passes < 1 || e2eRounds < 1 || batchSizes.stream().anyMatch(b -> b < 1)) {
            throw new ParameterException(spec.commandLine(),
                    "--sentences, --passes, --e2e-rounds and --batch-sizes must be >= 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int threads = Runtime.getRuntime().availableProcessors();
        List<String> corpus = SentenceCorpus.generate(sentences);

        IntSummaryStatistics lengths;
        try (TextTokenizer tokenizer = TextTokenizer.bundled(TextTokenizer.DEFAULT_MAX_LENGTH)) {
            lengths = tokenizer.tokenizeAll(corpus).stream().mapToInt(Tokens::size).summaryStatistics();
        }

        List<String> warmup;
        double[][] ort = new double[batchSizes.size()][passes];
        double[][] djl = new double[batchSizes.size()][passes];
        try (TextEmbedder anchor = new OnnxRuntimeEmbedder(TextTokenizer.DEFAULT_MAX_LENGTH, threads, ORT_SUB_BATCH);
             BertSentenceEmbedder streamvec = BertSentenceEmbedder.bundledOnCpu(TextTokenizer.DEFAULT_MAX_LENGTH)) {
            String djlVersion = Engine.getEngine("PyTorch").getVersion();
            String ortVersion = OrtEnvironment.getEnvironment().getVersion();
            err.printf("bench embed: warming up (%d sentences per engine and batch size)%n", Math.min(256, sentences));
            err.flush();
            warmup = corpus.subList(0, Math.min(256, corpus.size()));
            for (int batch : batchSizes) {
                EmbedThroughput.sentencesPerSecond(anchor, warmup, batch);
                EmbedThroughput.sentencesPerSecond(streamvec, warmup, batch);
            }
            for (int pass = 0; pass < passes; pass++) {
                for (int b = 0; b < batchSizes.size(); b++) {
                    int batch = batchSizes.get(b);
                    double[] rates = alternating(pass, () -> EmbedThroughput.sentencesPerSecond(anchor, corpus, batch),
                            () -> EmbedThroughput.sentencesPerSecond(streamvec, corpus, batch));
                    ort[b][pass] = rates[0];
                    djl[b][pass] = rates[1];
                    err.printf("bench embed: pass %d/%d batch %4d: ORT %7.1f/s  DJL %7.1f/s%n", pass + 1, passes,
                            batch, ort[b][pass], djl[b][pass]);
                    err.flush();
                }
            }
            EmbeddingWorkers.Settings settings = EmbeddingWorkers.Settings.resolve(0, 0, false, threads, E2E_BATCH,
                    Duration.ofMillis(E2E_LINGER_MS));
            double[][] viaWorkers = workersComparison(err, corpus, warmup, streamvec, settings);
            report(out, err, corpus, lengths, ort, djl, ortVersion, djlVersion, threads, streamvec, settings,
                    viaWorkers);
        }
        return 0;
    }

    /**
     * Both engines behind the embedding workers the topology uses (same settings, same feeding), passes
     * interleaved: {@code [0]} ONNX Runtime, {@code [1]} DJL, sentences/s per pass.
     */
    private double[][] workersComparison(PrintWriter err, List<String> corpus, List<String> warmup,
                                         BertSentenceEmbedder streamvec, EmbeddingWorkers.Settings settings) {
        double[][] rates = new double[2][passes];
        int ortThreads = Math.max(1, settings.intraOpThreads());
        try (TextEmbedder anchor = new OnnxRuntimeEmbedder(TextTokenizer.DEFAULT_MAX_LENGTH, ortThreads, ORT_SUB_BATCH);
             EmbeddingWorkers ortWorkers = new EmbeddingWorkers(anchor, settings, new SimpleMeterRegistry());
             EmbeddingWorkers djlWorkers = new EmbeddingWorkers(streamvec, settings, new SimpleMeterRegistry())) {
            EmbedThroughput.sentencesPerSecond(ortWorkers, warmup);
            EmbedThroughput.sentencesPerSecond(djlWorkers, warmup);
            for (int pass = 0; pass < passes; pass++) {
                double[] both = alternating(pass, () -> EmbedThroughput.sentencesPerSecond(ortWorkers, corpus),
                        () -> EmbedThroughput.sentencesPerSecond(djlWorkers, corpus));
                rates[0][pass] = both[0];
                rates[1][pass] = both[1];
                err.printf("bench embed: pass %d/%d, %d workers: ORT %7.1f/s  DJL %7.1f/s%n", pass + 1, passes,
                        settings.workers(), rates[0][pass], rates[1][pass]);
                err.flush();
            }
        }
        return rates;
    }

    /**
     * Runs both engines once, ONNX Runtime first on even passes and DJL first on odd ones, so that drift in
     * the machine's load hits both alike: {@code {ort, djl}} sentences/s.
     */
    private static double[] alternating(int pass, DoubleSupplier ort, DoubleSupplier djl) {
        double[] rates = new double[2];
        if (pass % 2 == 0) {
            rates[0] = ort.getAsDouble();
            rates[1] = djl.getAsDouble();
        } else {
            rates[1] = djl.getAsDouble();
            rates[0] = ort.getAsDouble();
        }
        return rates;
    }

    /** Each pass's DJL/ORT ratio, space-separated. */
    private static String perPassRatios(double[] djl, double[] ort) {
        StringBuilder ratios = new StringBuilder();
        for (int pass = 0; pass < djl.length; pass++) {
            ratios.append(pass == 0 ? "" : " ").append(String.format("%.2f", djl[pass] / ort[pass]));
        }
        return ratios.toString();
    }

    private void report(PrintWriter out, PrintWriter err, List<String> corpus, IntSummaryStatistics lengths,
                        double[][] ort, double[][] djl, String ortVersion, String djlVersion, int threads,
                        BertSentenceEmbedder streamvec, EmbeddingWorkers.Settings settings, double[][] viaWorkers)
            throws Exception {
        out.printf("bench embed: %s, %d generated sentences (tokens per sentence: mean %.1f, min %d, max %d), "
                        + "%d passes, median reported%n", BundledModel.NAME, sentences,
                lengths.getAverage(), lengths.getMin(), lengths.getMax(), passes);
        out.printf("  ORT = ONNX Runtime %s, CPU, intra-op threads %d (anchor)%n", ortVersion, threads);
        out.printf("  DJL = streamvec's encoder on DJL %s PyTorch %s, CPU fp32%n", Engine.getDjlVersion(), djlVersion);
        out.printf("  native tuning (both engines share the process): %s%n",
                NativeTuning.status().map(NativeTuning.Status::summary).orElse("not applied"));
        out.printf("  libtorch's MKL kernels for: %s%n", NativeTuning.mklProcessor().orElse("(no MKL found)"));
        out.printf("  both: tokenization included, flush sorted by length, mean pooling; %d available processors%n",
                threads);
        out.printf("  ORT: padded sub-batches of %d; DJL: dense layers on the packed tokens (no padding), attention "
                + "in padded groups of %d%n", ORT_SUB_BATCH, BertSentenceEmbedder.ATTENTION_GROUP);
        String tunables = System.getenv("GLIBC_TUNABLES");
        out.printf("  GLIBC_TUNABLES=%s%n%n", tunables == null ? "(unset)" : tunables);
        out.printf("  %5s | %12s | %12s | %8s | %s%n", "batch", "ORT sent/s", "DJL sent/s", "DJL/ORT",
                "DJL/ORT per pass");
        out.printf("  %s%n", "-".repeat(5 + 3 + 12 + 3 + 12 + 3 + 8 + 3 + 16));
        double djlAtE2eBatch = Double.NaN;
        for (int b = 0; b < batchSizes.size(); b++) {
            double ortMedian = Median.of(ort[b]);
            double djlMedian = Median.of(djl[b]);
            out.printf("  %5d | %12.1f | %12.1f | %7.2fx | %s%n", batchSizes.get(b), ortMedian, djlMedian,
                    djlMedian / ortMedian, perPassRatios(djl[b], ort[b]));
            if (batchSizes.get(b) == E2E_BATCH) {
                djlAtE2eBatch = djlMedian;
            }
        }
        double ortWorkers = Median.of(viaWorkers[0]);
        double djlWorkers = Median.of(viaWorkers[1]);
        out.printf("%n  through the embedding workers the topology uses (%d worker(s) x %d intra-op thread(s), "
                + "micro-batches of %d,%n  fed from memory: each text tokenized and submitted in turn):%n%n",
                settings.workers(), Math.max(1, settings.intraOpThreads()), settings.batchSize());
        out.printf("  %5s | %12s | %12s | %8s | %s%n", "", "ORT sent/s", "DJL sent/s", "DJL/ORT", "DJL/ORT per pass");
        out.printf("  %5s | %12.1f | %12.1f | %7.2fx | %s%n", "", ortWorkers, djlWorkers, djlWorkers / ortWorkers,
                perPassRatios(viaWorkers[1], viaWorkers[0]));
        out.flush();

        if (!skipE2e) {
            err.printf("bench embed: end to end through an in-process broker (%d sentences)%n", sentences);
            err.flush();
            // The machine's load drifts: bracket the end-to-end run with bare DJL through the same workers.
            double before;
            double after;
            EndToEndThroughput.Result e2e;
            try (EmbeddingWorkers bare = new EmbeddingWorkers(streamvec, settings, new SimpleMeterRegistry())) {
                before = EmbedThroughput.sentencesPerSecond(bare, corpus);
                e2e = EndToEndThroughput.run(corpus, e2eRounds, E2E_BATCH, E2E_LINGER_MS, e2eTimeout);
                after = EmbedThroughput.sentencesPerSecond(bare, corpus);
            }
            double bracket = (before + after) / 2;
            EmbeddingWorkers.Settings used = e2e.workers();
            StringBuilder rounds = new StringBuilder();
            for (double rate : e2e.roundRates()) {
                rounds.append(rounds.length() == 0 ? "" : " ").append(String.format("%.1f", rate));
            }
            out.printf("%nend to end: embedded KRaft broker + streamvec topology (%s, embedding.batch.size=%d, "
                            + "embedding.linger.ms=%d,%n  %d embedding worker(s) x %d intra-op thread(s), DJL CPU fp32); "
                            + "a round is the first send to the last%n  text-embeddings record read (read_committed). "
                            + "%d warm-up round(s) (%s), then %d timed: %s sent/s%n  (median reported); JIT compile "
                            + "time in the timed rounds %d ms; mean micro-batch %.1f texts%n%n",
                    e2e.guarantee(), used.batchSize(), used.linger().toMillis(), used.workers(),
                    Math.max(1, used.intraOpThreads()), e2e.warmupRounds(),
                    e2e.settled() ? "until the JIT settled" : "the JIT had not settled",
                    e2e.roundSeconds().length, rounds, e2e.timedCompileMillis(), e2e.meanBatch());
            out.printf("  %-44s | %12s | %s%n", "", "sent/s", "end to end / this");
            out.printf("  %s%n", "-".repeat(44 + 3 + 12 + 3 + 17));
            out.printf("  %-44s | %12.1f | %.2fx%n", "bare DJL, same workers (just before/after)", bracket,
                    e2e.sentencesPerSecond() / bracket);
            out.printf("  %-44s | %12.1f | %.2fx%n", "bare DJL, same workers (table median)", djlWorkers,
                    e2e.sentencesPerSecond() / djlWorkers);
            if (!Double.isNaN(djlAtE2eBatch)) {
                out.printf("  %-44s | %12.1f | %.2fx%n", "bare DJL, one caller, batch " + E2E_BATCH + " (table)",
                        djlAtE2eBatch, e2e.sentencesPerSecond() / djlAtE2eBatch);
            }
            out.printf("  %-44s | %12.1f |%n", String.format("end to end (median of %d rounds of %d)",
                    e2e.roundSeconds().length, e2e.sentences()), e2e.sentencesPerSecond());
        }
        out.flush();
    }
}
