package org.deqbench.metrics;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The real-valued image the metrics compare: for a complex image ({@code C = 2}, channels real and
 * imaginary) the magnitude |x| = √(re² + im²), for a real image ({@code C = 1}) the single channel
 * unchanged (negative values kept, as the fastMRI and scikit-image metrics do for real data).
 *
 * <p>Accepted layouts: {@code [C, H, W]} (one frame) and {@code [C, T, H, W]} (T frames of a time
 * series or slices of a volume). A batch {@code [N, C, H, W]} must be split into images first: a
 * 4-D array is always read as {@code [C, T, H, W]}.
 *
 * @param frames number of frames T (1 for a 2-D image)
 * @param height H
 * @param width  W
 * @param values magnitudes in C order: index {@code (t · H + y) · W + x}
 */
public record MagnitudeImage(int frames, int height, int width, double[] values) {

    public MagnitudeImage {
        if (frames < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("image dimensions must be positive, found frames=" + frames
                    + " height=" + height + " width=" + width);
        }
        if (values.length != (long) frames * height * width) {
            throw new IllegalArgumentException("expected " + ((long) frames * height * width)
                    + " values for [T=" + frames + ", H=" + height + ", W=" + width + "], found " + values.length);
        }
    }

    /**
     * The metric image of a {@code [C, H, W]} or {@code [C, T, H, W]} array in C order.
     *
     * @param data  the array's values in C (row-major) order
     * @param shape its shape
     */
    public static MagnitudeImage of(double[] data, long... shape) {
        if (shape.length != 3 && shape.length != 4) {
            throw new IllegalArgumentException("expected an image [C, H, W] or [C, T, H, W], found shape "
                    + Arrays.toString(shape));
        }
        int c = Math.toIntExact(shape[0]);
        int t = shape.length == 4 ? Math.toIntExact(shape[1]) : 1;
        int h = Math.toIntExact(shape[shape.length - 2]);
        int w = Math.toIntExact(shape[shape.length - 1]);
        if (c != 1 && c != 2) {
            throw new IllegalArgumentException("expected C = 1 (real) or C = 2 (real, imaginary) channels, found shape "
                    + Arrays.toString(shape));
        }
        long plane = (long) t * h * w;
        if (data.length != c * plane) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + c * plane
                    + " values, found " + data.length);
        }
        double[] out = new double[(int) plane];
        if (c == 1) {
            System.arraycopy(data, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) {
                out[i] = Math.hypot(data[i], data[(int) plane + i]);
            }
        }
        return new MagnitudeImage(t, h, w, out);
    }

    /** The metric image of one image {@code [C, H, W]} or {@code [C, T, H, W]} (any data type). */
    public static MagnitudeImage of(INDArray image) {
        long[] shape = image.shape();
        if (shape.length != 3 && shape.length != 4) {
            throw new IllegalArgumentException("expected one image [C, H, W] or [C, T, H, W], found shape "
                    + Arrays.toString(shape) + " (split a batch [N, ...] into images first)");
        }
        // dup('c') gives a dense C-ordered buffer of exactly this view's elements.
        double[] data = image.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        return of(data, shape);
    }

    /** Maximum over all frames: the data range of a target. */
    public double max() {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            m = Math.max(m, v);
        }
        return m;
    }

    /** A copy of frame {@code t} as an H·W row-major array. */
    public double[] frame(int t) {
        Objects.checkIndex(t, frames);
        int n = height * width;
        return Arrays.copyOfRange(values, t * n, (t + 1) * n);
    }

    /** Throws unless {@code other} has the same frames, height and width. */
    void requireSameSize(MagnitudeImage other, String what) {
        if (other.frames != frames || other.height != height || other.width != width) {
            throw new IllegalArgumentException(what + ": target is [T=" + frames + ", H=" + height + ", W=" + width
                    + "] but reconstruction is [T=" + other.frames + ", H=" + other.height + ", W=" + other.width + "]");
        }
    }
}
