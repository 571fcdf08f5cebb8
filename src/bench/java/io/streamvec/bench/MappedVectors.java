package io.streamvec.bench;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A file of raw little-endian float32 rows ({@link ClusteredVectors#write}) mapped into memory: the fp32 copy an
 * int8 index re-ranks from in the search benchmark, off the heap like the text index's state store. Reads are
 * absolute, so any thread may read.
 */
public final class MappedVectors {

    private final FloatBuffer floats;
    private final int dim;
    private final int rows;

    public MappedVectors(Path file, int dim) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long bytes = channel.size();
            if (bytes > Integer.MAX_VALUE) {
                throw new IOException(file + " is over 2 GiB: " + bytes + " bytes");
            }
            floats = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        }
        this.dim = dim;
        this.rows = floats.capacity() / dim;
    }

    public int rows() {
        return rows;
    }

    public float[] row(int r) {
        float[] v = new float[dim];
        floats.get(r * dim, v);
        return v;
    }
}
