package org.deqbench.reference;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Reads the tensors of a PyTorch checkpoint written by {@code torch.save} in the zip format (the
 * default since torch 1.6): a zip archive {@code <name>/data.pkl} (a pickle of the saved object,
 * usually {@code {"state_dict": OrderedDict(name → tensor)}}), {@code <name>/data/<key>} (the raw
 * little-endian bytes of each tensor storage) and {@code <name>/version}.
 *
 * <p>The pickle is read by the unpickler of Pyrolite ({@code net.razorvine:pickle}); what is
 * specific to torch is registered here: tensors are rebuilt by
 * {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)} with
 * the storage given as a persistent id {@code ("storage", torch.FloatStorage, key, location, numel)},
 * parameters by {@code torch._utils._rebuild_parameter(tensor, requires_grad, hooks)}, and
 * {@code collections.OrderedDict} keeps its order. Float32 and float64 storages are supported;
 * any other storage type, a quantised tensor or an unknown constructor fails with a message naming
 * it. The legacy format of torch &lt; 1.6 (consecutive pickles, not a zip) is recognised and
 * rejected with a message saying how to convert it.
 */
public final class TorchCheckpoint {
    private static final String REBUILD_TENSOR = "_rebuild_tensor_v2";

    static {
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new StateDict());
        Unpickler.registerConstructor("torch._utils", REBUILD_TENSOR, TorchCheckpoint::rebuildTensor);
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> {
            if (args.length < 1 || !(args[0] instanceof TorchTensor t)) {
                throw new PickleException("_rebuild_parameter: expected a tensor as first argument");
            }
            return t;
        });
        for (StorageType s : StorageType.values()) {
            Unpickler.registerConstructor("torch", s.pythonName, s);
        }
    }

    private TorchCheckpoint() {
    }

    /** A tensor of the checkpoint: its storage dtype, shape and values in row-major order. */
    public record TorchTensor(String dtype, long[] shape, double[] values) {
        /** Number of elements. */
        public long size() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        @Override
        public String toString() {
            return dtype + Arrays.toString(shape);
        }
    }

    /**
     * The object of {@code data.pkl} with every tensor rebuilt: maps (dict, OrderedDict) are
     * {@link Map}s, tensors {@link TorchTensor}s.
     *
     * @throws CheckpointFormatException naming the file and what was wrong with it
     */
    public static Object read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointFormatException(file + ": no such file");
        }
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new CheckpointFormatException(file + ": " + notAZip(file));
        } catch (IOException e) {
            throw new CheckpointFormatException(file + ": cannot be read (" + e.getMessage() + ")");
        }
        try (zip) {
            String prefix = archivePrefix(zip, file);
            Unpickler unpickler = new StorageUnpickler(zip, prefix, file);
            try (InputStream in = zip.getInputStream(zip.getEntry(prefix + "data.pkl"))) {
                return unpickler.load(in);
            } catch (PickleException e) {
                throw new CheckpointFormatException(file + ": " + prefix + "data.pkl cannot be unpickled: "
                        + rootMessage(e));
            }
        } catch (IOException e) {
            throw new CheckpointFormatException(file + ": cannot be read (" + e.getMessage() + ")");
        }
    }

    private static String notAZip(Path file) {
        byte[] head = new byte[2];
        try (InputStream in = Files.newInputStream(file)) {
            int n = in.read(head);
            if (n == 2 && (head[0] & 0xff) == 0x80 && head[1] >= 2 && head[1] <= 5) {
                return "a legacy (torch < 1.6) checkpoint, not the zip format; re-save it with "
                        + "torch.save(torch.load(f), g) under torch >= 1.6";
            }
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
        return "not a PyTorch checkpoint (expected the zip archive torch.save writes, found "
                + (head[0] == 0 && head[1] == 0 ? "an empty or binary file" : "another format") + ")";
    }

    /** {@code archive/} or whatever folder holds {@code data.pkl}. */
    private static String archivePrefix(ZipFile zip, Path file) {
        Enumeration<? extends ZipEntry> entries = zip.entries();
        while (entries.hasMoreElements()) {
            String name = entries.nextElement().getName();
            if (name.endsWith("data.pkl") && name.indexOf('/') == name.lastIndexOf('/')) {
                return name.substring(0, name.length() - "data.pkl".length());
            }
        }
        throw new CheckpointFormatException(file + ": a zip archive without <name>/data.pkl, so not a torch.save "
                + "checkpoint");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        if (t instanceof CheckpointFormatException c) {
            return c.getMessage();
        }
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    /** {@code torch.FloatStorage} and friends: the element type of a persistent storage. */
    enum StorageType implements IObjectConstructor {
        FLOAT("FloatStorage", "float32", 4),
        DOUBLE("DoubleStorage", "float64", 8);

        final String pythonName;
        final String dtype;
        final int bytes;

        StorageType(String pythonName, String dtype, int bytes) {
            this.pythonName = pythonName;
            this.dtype = dtype;
            this.bytes = bytes;
        }

        @Override
        public Object construct(Object[] args) {
            throw new PickleException("torch." + pythonName + " is only expected as a storage type");
        }
    }

    /** A loaded storage: its element type and values. */
    record Storage(StorageType type, double[] values) {
    }

    /** An OrderedDict; its pickled state (the state_dict's {@code _metadata}) is ignored. */
    public static final class StateDict extends LinkedHashMap<Object, Object> {
        private static final long serialVersionUID = 1L;

        public void __setstate__(HashMap<?, ?> state) {
            // _metadata (module versions) carries no weights
        }
    }

    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof Storage storage)) {
            throw new PickleException(REBUILD_TENSOR + ": expected (storage, offset, size, stride, ...), found "
                    + args.length + " arguments");
        }
        long offset = ((Number) args[1]).longValue();
        long[] shape = longs(args[2]);
        long[] stride = longs(args[3]);
        if (shape.length != stride.length) {
            throw new PickleException(REBUILD_TENSOR + ": size " + Arrays.toString(shape) + " and stride "
                    + Arrays.toString(stride) + " differ in rank");
        }
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] out = new double[Math.toIntExact(n)];
        long[] index = new long[shape.length];
        for (int i = 0; i < out.length; i++) {
            long at = offset;
            for (int d = 0; d < shape.length; d++) {
                at += index[d] * stride[d];
            }
            if (at < 0 || at >= storage.values().length) {
                throw new PickleException(REBUILD_TENSOR + ": tensor of size " + Arrays.toString(shape) + " reaches "
                        + "past its storage of " + storage.values().length + " elements");
            }
            out[i] = storage.values()[(int) at];
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return new TorchTensor(storage.type().dtype, shape, out);
    }

    private static long[] longs(Object tuple) {
        if (!(tuple instanceof Object[] a)) {
            throw new PickleException(REBUILD_TENSOR + ": expected a tuple of sizes, found " + tuple);
        }
        long[] out = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = ((Number) a[i]).longValue();
        }
        return out;
    }

    /** Resolves {@code ("storage", type, key, location, numel)} to the bytes of {@code data/<key>}. */
    private static final class StorageUnpickler extends Unpickler {
        private final ZipFile zip;
        private final String prefix;
        private final Path file;

        StorageUnpickler(ZipFile zip, String prefix, Path file) {
            this.zip = zip;
            this.prefix = prefix;
            this.file = file;
        }

        @Override
        protected Object persistentLoad(Object pid) {
            if (!(pid instanceof Object[] t) || t.length < 5 || !"storage".equals(t[0])) {
                throw new PickleException("unexpected persistent id " + Arrays.deepToString(pid instanceof Object[] a
                        ? a : new Object[] {pid}) + " (expected a torch storage)");
            }
            if (!(t[1] instanceof StorageType type)) {
                throw new CheckpointFormatException(file + ": storage type " + t[1] + " is not supported (float32 and "
                        + "float64 are)");
            }
            String key = String.valueOf(t[2]);
            long numel = ((Number) t[4]).longValue();
            ZipEntry entry = zip.getEntry(prefix + "data/" + key);
            if (entry == null) {
                throw new CheckpointFormatException(file + ": storage " + prefix + "data/" + key + " is missing");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                byte[] bytes = in.readAllBytes();
                if (bytes.length != numel * type.bytes) {
                    throw new CheckpointFormatException(file + ": storage " + prefix + "data/" + key + " has "
                            + bytes.length + " bytes, expected " + numel + " " + type.dtype + " values");
                }
                ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
                double[] values = new double[(int) numel];
                for (int i = 0; i < values.length; i++) {
                    values[i] = type == StorageType.FLOAT ? buf.getFloat() : buf.getDouble();
                }
                return new Storage(type, values);
            } catch (IOException e) {
                throw new CheckpointFormatException(file + ": storage " + prefix + "data/" + key + " cannot be read ("
                        + e.getMessage() + ")");
            }
        }
    }
}
