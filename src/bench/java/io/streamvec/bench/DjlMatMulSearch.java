package io.streamvec.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.streamvec.text.model.NativeTuning;
import java.nio.FloatBuffer;

/**
 * Exact search as one matrix product on DJL's PyTorch engine (CPU): the other way of scanning that issue 13 names
 * for the text index, measured beside the Vector API kernels. The unit rows live in one native tensor; a batch of
 * queries is {@code queries x rows^T}, then {@code topK}.
 */
public final class DjlMatMulSearch implements AutoCloseable {

    private final NDManager manager;
    private final NDArray rows;
    private final int dim;

    public DjlMatMulSearch(MappedVectors vectors, int dim) {
        Engine engine = NativeTuning.pytorch(true);
        this.manager = engine.newBaseManager();
        this.dim = dim;
        int n = vectors.rows();
        FloatBuffer all = FloatBuffer.allocate(n * dim);
        for (int r = 0; r < n; r++) {
            all.put(vectors.row(r));
        }
        all.flip();
        this.rows = manager.create(all, new Shape(n, dim), DataType.FLOAT32);
    }

    /** Each query's k best row numbers, best first. */
    public int[][] search(float[][] queries, int k) {
        try (NDManager scope = manager.newSubManager()) {
            float[] flat = new float[queries.length * dim];
            for (int q = 0; q < queries.length; q++) {
                System.arraycopy(queries[q], 0, flat, q * dim, dim);
            }
            NDArray qs = scope.create(flat, new Shape(queries.length, dim));
            NDArray scores = qs.matMul(rows.transpose());
            NDList top = scores.topK(k, 1, true, true);
            long[] ids = top.get(1).toType(DataType.INT64, false).toLongArray();
            int[][] out = new int[queries.length][k];
            for (int q = 0; q < queries.length; q++) {
                for (int i = 0; i < k; i++) {
                    out[q][i] = (int) ids[q * k + i];
                }
            }
            return out;
        }
    }

    @Override
    public void close() {
        manager.close();
    }
}
