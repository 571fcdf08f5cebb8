package io.streamvec.text.model.weights;

import java.util.Arrays;

/** A named fp32 tensor in row-major order. */
public record WeightTensor(String name, long[] shape, float[] data) {

    public WeightTensor {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException(
                    name + ": shape " + Arrays.toString(shape) + " does not match " + data.length + " values");
        }
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
