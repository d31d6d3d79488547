package org.deqbench.data;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Node;
import java.lang.reflect.Array;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Reads numeric HDF5 datasets (via jhdf) slice by slice along their first axis, into C-order
 * double arrays. Complex datasets are accepted in two layouts:
 * <ol>
 *   <li>a compound type with two floating-point members named {@code r}/{@code i} or
 *       {@code real}/{@code imag} — how h5py stores numpy complex numbers, and so how fastMRI and
 *       MoDL files store them;</li>
 *   <li>a float32/float64 dataset with a trailing axis of length 2 holding (real, imaginary) —
 *       what writers without compound support (jhdf's) produce.</li>
 * </ol>
 * A real dataset read as complex gets a zero imaginary part. Errors name the file and dataset.
 */
final class Hdf5Reader implements AutoCloseable {
    private final Path file;
    private final String context;
    private final HdfFile hdf;

    /** @param context what is being read, for error messages (e.g. "task 'knee': source.layout fastmri") */
    Hdf5Reader(Path file, String context) {
        this.file = file;
        this.context = context;
        try {
            this.hdf = new HdfFile(file);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(context + ": cannot open HDF5 file " + file + ": " + e.getMessage(), e);
        }
    }

    boolean has(String name) {
        try {
            Node n = hdf.getByPath(name);
            return n instanceof Dataset;
        } catch (RuntimeException missing) {
            return false;
        }
    }

    /** The dataset, or an error naming what the layout expects. */
    Dataset dataset(String name, String expected) {
        if (!has(name)) {
            throw new IllegalArgumentException(context + ": " + file + " has no dataset '" + name + "' (expected "
                    + expected + "); its root holds " + hdf.getChildren().keySet());
        }
        return (Dataset) hdf.getByPath(name);
    }

    /** Whether the dataset stores complex numbers as a trailing axis of length 2. */
    private static boolean trailingComplex(Dataset d) {
        int[] dims = d.getDimensions();
        Class<?> t = d.getJavaType();
        return !d.isCompound() && dims.length > 0 && dims[dims.length - 1] == 2 && (t == float.class || t == double.class);
    }

    /** Dimensions of the complex values (without a trailing real/imaginary axis). */
    int[] complexDims(String name, String expected) {
        Dataset d = dataset(name, expected);
        int[] dims = d.getDimensions();
        return trailingComplex(d) ? Arrays.copyOf(dims, dims.length - 1) : dims;
    }

    /**
     * Complex items [first, first + count) along axis 0 as {@code [count, 2, rest...]}: for each
     * item its real block, then its imaginary block.
     */
    double[] complex(String name, String expected, int first, int count) {
        Dataset d = dataset(name, expected);
        int[] dims = d.getDimensions();
        int[] cdims = complexDims(name, expected);
        checkRange(name, cdims, first, count);
        int item = 1;
        for (int i = 1; i < cdims.length; i++) {
            item *= cdims[i];
        }
        double[] out = new double[count * 2 * item];
        long[] offset = new long[dims.length];
        offset[0] = first;
        int[] shape = dims.clone();
        shape[0] = count;
        Object data = read(d, offset, shape);
        if (d.isCompound()) {
            Map<?, ?> members = (Map<?, ?>) data;
            Object re = member(members, name, "r", "real");
            Object im = member(members, name, "i", "imag");
            double[] r = flatten(re, count * item);
            double[] m = flatten(im, count * item);
            for (int k = 0; k < count; k++) {
                System.arraycopy(r, k * item, out, k * 2 * item, item);
                System.arraycopy(m, k * item, out, k * 2 * item + item, item);
            }
        } else if (trailingComplex(d)) {
            double[] v = flatten(data, count * item * 2);
            for (int k = 0; k < count; k++) {
                for (int i = 0; i < item; i++) {
                    out[k * 2 * item + i] = v[2 * (k * item + i)];
                    out[k * 2 * item + item + i] = v[2 * (k * item + i) + 1];
                }
            }
        } else {
            double[] v = flatten(data, count * item);
            for (int k = 0; k < count; k++) {
                System.arraycopy(v, k * item, out, k * 2 * item, item);
            }
        }
        return requireFinite(out, name, first, count);
    }

    /** Real items [first, first + count) along axis 0, C order. */
    double[] real(String name, String expected, int first, int count) {
        Dataset d = dataset(name, expected);
        if (d.isCompound()) {
            throw new IllegalArgumentException(context + ": dataset '" + name + "' of " + file
                    + " is compound; expected real numbers (" + expected + ")");
        }
        int[] dims = d.getDimensions();
        checkRange(name, dims, first, count);
        long[] offset = new long[dims.length];
        offset[0] = first;
        int[] shape = dims.clone();
        shape[0] = count;
        int n = count;
        for (int i = 1; i < dims.length; i++) {
            n *= dims[i];
        }
        return requireFinite(flatten(read(d, offset, shape), n), name, first, count);
    }

    /** Refuses data holding NaN or ±∞, naming the file, the dataset, the items and the count. */
    private double[] requireFinite(double[] v, String name, int first, int count) {
        long bad = 0;
        for (double x : v) {
            if (!Double.isFinite(x)) {
                bad++;
            }
        }
        if (bad > 0) {
            throw new IllegalArgumentException(context + ": dataset '" + name + "' of " + file + " holds " + bad
                    + " NaN or infinite values (of " + v.length + ") in items [" + first + ", " + (first + count)
                    + "); clean the data or leave those items out");
        }
        return v;
    }

    private Object read(Dataset d, long[] offset, int[] shape) {
        try {
            return d.getData(offset, shape);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(context + ": cannot read dataset '" + d.getPath() + "' of " + file
                    + ": " + e.getMessage(), e);
        }
    }

    private void checkRange(String name, int[] dims, int first, int count) {
        if (dims.length == 0 || first + count > dims[0]) {
            throw new IllegalArgumentException(context + ": dataset '" + name + "' of " + file + " has "
                    + (dims.length == 0 ? 0 : dims[0]) + " items along its first axis; items [" + first + ", "
                    + (first + count) + ") are needed (train + test examples)");
        }
    }

    private Object member(Map<?, ?> members, String name, String... names) {
        for (var e : members.entrySet()) {
            String k = e.getKey().toString().toLowerCase(Locale.ROOT);
            for (String n : names) {
                if (k.equals(n)) {
                    return e.getValue();
                }
            }
        }
        throw new IllegalArgumentException(context + ": compound dataset '" + name + "' of " + file
                + " has members " + members.keySet() + "; expected complex members " + String.join("/", names)
                + " and their imaginary counterpart");
    }

    /** Flattens a (nested) primitive array in C order into {@code n} doubles. */
    static double[] flatten(Object nested, int n) {
        double[] out = new double[n];
        int filled = fill(nested, out, 0);
        if (filled != n) {
            throw new IllegalArgumentException("expected " + n + " values, found " + filled
                    + " (truncated or inconsistent dataset)");
        }
        return out;
    }

    private static int fill(Object a, double[] out, int pos) {
        if (a instanceof double[] d) {
            System.arraycopy(d, 0, out, pos, d.length);
            return pos + d.length;
        }
        if (a instanceof float[] f) {
            for (float v : f) {
                out[pos++] = v;
            }
            return pos;
        }
        if (a instanceof byte[] || a instanceof short[] || a instanceof int[] || a instanceof long[]) {
            int len = Array.getLength(a);
            for (int i = 0; i < len; i++) {
                out[pos++] = ((Number) Array.get(a, i)).doubleValue();
            }
            return pos;
        }
        if (a instanceof boolean[] b) {
            for (boolean v : b) {
                out[pos++] = v ? 1 : 0;
            }
            return pos;
        }
        if (a instanceof Object[] arr) {
            for (Object o : arr) {
                pos = fill(o, out, pos);
            }
            return pos;
        }
        throw new IllegalArgumentException("unsupported HDF5 element type " + (a == null ? "null" : a.getClass().getSimpleName()));
    }

    Path file() {
        return file;
    }

    @Override
    public void close() {
        hdf.close();
    }
}
