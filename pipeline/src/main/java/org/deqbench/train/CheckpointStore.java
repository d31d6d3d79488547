package org.deqbench.train;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One resumable checkpoint in a folder that outlives the node's temporary output folder
 * (the trainer's caller puts it under {@code <runDir>/checkpoints/<node id>/}), so a killed run
 * finds it again.
 *
 * <p>File {@value #FILE}: an 8-byte magic, a length-prefixed UTF-8 JSON header (scalars, curves
 * and the names of the arrays, in order), then the arrays in ND4J's binary format. It is written to
 * a temporary file, forced to disk and renamed over the previous one, so the folder always holds
 * either the old or the new checkpoint, never a torn one.
 */
public final class CheckpointStore {
    public static final String FILE = "checkpoint.bin";
    private static final byte[] MAGIC = "DQBCKPT1".getBytes(StandardCharsets.US_ASCII);
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Path dir;

    public CheckpointStore(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    public Path file() {
        return dir.resolve(FILE);
    }

    /** Writes the checkpoint atomically (temporary file, fsync, rename); returns its path. */
    public Path save(Checkpoint c) {
        Path target = file();
        Path tmp = dir.resolve(FILE + ".tmp");
        try {
            Files.createDirectories(dir);
            try (FileOutputStream fos = new FileOutputStream(tmp.toFile());
                 DataOutputStream out = new DataOutputStream(new BufferedOutputStream(fos, 1 << 16))) {
                out.write(MAGIC);
                Map<String, Object> header = new LinkedHashMap<>();
                header.put("fingerprint", c.fingerprint());
                header.put("step", c.step());
                header.put("seconds", c.seconds());
                header.put("adam_steps", c.adamSteps());
                header.put("best_score", Double.isFinite(c.bestScore()) ? c.bestScore() : null);
                header.put("best_epoch", c.bestEpoch());
                header.put("rng", "streams derived from the seed, the epoch and the step; no state");
                header.put("parameters", List.copyOf(c.parameters().keySet()));
                header.put("adam_first", List.copyOf(c.adamFirst().keySet()));
                header.put("adam_second", List.copyOf(c.adamSecond().keySet()));
                header.put("best", List.copyOf(c.best().keySet()));
                header.put("steps", c.steps());
                header.put("epochs", c.epochs());
                byte[] h = JSON.writeValueAsBytes(header);
                out.writeInt(h.length);
                out.write(h);
                for (Map<String, INDArray> m : List.of(c.parameters(), c.adamFirst(), c.adamSecond(), c.best())) {
                    for (INDArray a : m.values()) {
                        Nd4j.write(a, out);
                    }
                }
                out.flush();
                fos.getFD().sync();
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + target + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoint, if one exists; a corrupt file is an error naming it. */
    public Optional<Checkpoint> load() {
        Path p = file();
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        try (InputStream fis = Files.newInputStream(p);
             DataInputStream in = new DataInputStream(new BufferedInputStream(fis, 1 << 16))) {
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a deqbench checkpoint (bad magic)");
            }
            byte[] h = in.readNBytes(in.readInt());
            Map<String, Object> header = JSON.readValue(h, new TypeReference<>() { });
            Map<String, INDArray> params = readArrays(in, names(header, "parameters"));
            Map<String, INDArray> first = readArrays(in, names(header, "adam_first"));
            Map<String, INDArray> second = readArrays(in, names(header, "adam_second"));
            Map<String, INDArray> best = readArrays(in, names(header, "best"));
            List<StepRecord> steps = JSON.convertValue(header.get("steps"), new TypeReference<List<StepRecord>>() { });
            List<EpochRecord> epochs = JSON.convertValue(header.get("epochs"), new TypeReference<List<EpochRecord>>() { });
            Object bs = header.get("best_score");
            return Optional.of(new Checkpoint((String) header.get("fingerprint"),
                    ((Number) header.get("step")).longValue(), ((Number) header.get("seconds")).doubleValue(),
                    params, ((Number) header.get("adam_steps")).longValue(), first, second, best,
                    bs == null ? Double.NEGATIVE_INFINITY : ((Number) bs).doubleValue(),
                    ((Number) header.get("best_epoch")).intValue(), new ArrayList<>(steps), new ArrayList<>(epochs)));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("corrupt training checkpoint " + p + " (" + e.getMessage()
                    + "); delete it to restart training from scratch", e);
        }
    }

    /** Removes the checkpoint folder (after the trained model was written). */
    public void delete() {
        try {
            Files.deleteIfExists(dir.resolve(FILE + ".tmp"));
            Files.deleteIfExists(file());
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete checkpoint folder " + dir, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<String> names(Map<String, Object> header, String key) {
        return (List<String>) header.get(key);
    }

    private static Map<String, INDArray> readArrays(DataInputStream in, List<String> names) throws IOException {
        Map<String, INDArray> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, Nd4j.read(in));
        }
        return m;
    }
}
