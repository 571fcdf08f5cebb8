package io.streamvec.text.model.weights;

import java.util.Arrays;

/** A named fp32 tensor in row-major order. */
public record WeightTensor(String name, long[] shape, float[] data) {

    /** Throws {@link IllegalArgumentException} unless the shape's dimensions are >= 0 and hold exactly the data. */
    public WeightTensor {
        if (elements(shape) != data.length) {
            throw new IllegalArgumentException(
                    name + ": shape " + Arrays.toString(shape) + " does not match " + data.length + " values");
        }
    }

    /**
     * How many values a tensor of {@code shape} holds; -1 when a dimension is negative or the count does not fit
     * in an array (a corrupt file: the product of its dimensions may overflow to anything, even 0).
     */
    public static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0 || d > Integer.MAX_VALUE) {
                return -1;
            }
            n *= d; // both factors <= Integer.MAX_VALUE: no overflow
            if (n > Integer.MAX_VALUE) {
                return -1;
            }
        }
        return n;
    }

    /** Returns the transpose of a 2-D tensor. */
    public WeightTensor transpose2d(String newName) {
        if (shape.length != 2) {
            throw new IllegalStateException(name + " is not 2-D: " + Arrays.toString(shape));
        }
        int rows = (int) shape[0];
        int cols = (int) shape[1];
        float[] out = new float[data.length];
        for (int r = 0; r < rows; r++) {
            int base = r * cols;
            for (int c = 0; c < cols; c++) {
                out[c * rows + r] = data[base + c];
            }
        }
        return new WeightTensor(newName, new long[] {cols, rows}, out);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
