package io.streamvec.song2vec.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Synthetic playlists drawn from planted song clusters: nearest neighbours must share the cluster. */
class PlantedClustersTest {

    @ParameterizedTest
    @EnumSource(SgnsConfig.Mode.class)
    void recoversPlantedClusters(SgnsConfig.Mode mode) {
        int clusters = 8, perCluster = 25;
        Random rnd = new Random(5);
        SgnsConfig cfg = SgnsConfig.builder().mode(mode).dim(16).window(5).negative(5).alpha(0.025f)
                .capacity(1024).seed(9).build();
        SgnsModel model = new SgnsModel(cfg);
        SgnsTrainer trainer = new SgnsTrainer(model, 0);
        for (int p = 0; p < 3000; p++) {
            int c = rnd.nextInt(clusters);
            List<String> songs = new ArrayList<>();
            int len = 10 + rnd.nextInt(20);
            for (int i = 0; i < len; i++) {
                int cl = rnd.nextDouble() < 0.05 ? rnd.nextInt(clusters) : c;   // 5% noise
                songs.add("c" + cl + "-s" + rnd.nextInt(perCluster));
            }
            PlaylistContext ctx = trainer.newContext(p);
            trainer.trainIds(ctx, songs);
            trainer.flush(ctx);
        }
        int n = model.vocab.size();
        TopK topk = TopK.of(model.syn0, n, cfg.dim);
        int good = 0, total = 0;
        for (int r = 0; r < n; r++) {
            String cl = model.vocab.id(r).split("-")[0];
            for (int nb : topk.nearest(r, 5)) {
                total++;
                if (model.vocab.id(nb).split("-")[0].equals(cl)) good++;
            }
        }
        double precision = good / (double) total;
        assertTrue(precision > 0.95, "neighbour cluster precision " + precision);
    }
}
