package org.deqbench.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.ForwardModels;
import org.deqbench.store.ArrayFile;
import org.deqbench.store.NodeFiles;
import org.deqbench.store.NodeFileException;
import org.deqbench.spec.TaskSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * One split (train or test) of a simulated data set: ground truth, measurements and the
 * forward operator of any range of examples. Arrays are read from the run store on demand, shard
 * by shard, so a range touches only the shards it overlaps.
 */
public final class SimulatedSplit {
    /** Manifest roles of per-example arrays. */
    public static final String GROUND_TRUTH = "ground_truth";
    public static final String MEASUREMENTS = "measurements";

    private record Shard(String file, int start, int count) {
    }

    private final NodeFiles in;
    private final String split;
    private final TaskSpec task;
    private final Map<String, List<Shard>> perExample = new LinkedHashMap<>();
    private final Map<String, String> shared = new LinkedHashMap<>();
    private final int size;
    private String cachedFile;
    private INDArray cached;

    SimulatedSplit(NodeFiles in, String split, TaskSpec task) {
        this.in = in;
        this.split = split;
        this.task = task;
        String prefix = split + "/";
        for (ArrayFile e : in.shapedFiles()) {
            if (e.file().startsWith(prefix)) {
                List<Shard> shards = perExample.computeIfAbsent(e.role(), r -> new ArrayList<>());
                int start = shards.isEmpty() ? 0 : shards.get(shards.size() - 1).start() + shards.get(shards.size() - 1).count();
                shards.add(new Shard(e.file(), start, Math.toIntExact(e.shape().get(0))));
            } else if (!e.file().contains("/")) {
                shared.put(e.role(), e.file());
            }
        }
        List<Shard> gt = perExample.get(GROUND_TRUTH);
        if (gt == null) {
            throw new NodeFileException(in.dir().resolve(prefix), "the manifest lists no " + GROUND_TRUTH
                    + " array for split '" + split + "'", null);
        }
        this.size = gt.stream().mapToInt(Shard::count).sum();
        for (var e : perExample.entrySet()) {
            int n = e.getValue().stream().mapToInt(Shard::count).sum();
            if (n != size) {
                throw new NodeFileException(in.dir().resolve(prefix), "role '" + e.getKey() + "' has " + n
                        + " examples but " + GROUND_TRUTH + " has " + size, null);
            }
        }
    }

    /** {@code train} or {@code test}. */
    public String name() {
        return split;
    }

    /** Number of examples. */
    public int size() {
        return size;
    }

    public TaskSpec task() {
        return task;
    }

    /** All ground truth, {@code [N, C, H, W]} (or {@code [N, C, T, H, W]}). */
    public INDArray groundTruth() {
        return groundTruth(0, size);
    }

    /** Ground truth of examples [from, to). */
    public INDArray groundTruth(int from, int to) {
        return perExample(GROUND_TRUTH, from, to);
    }

    /** All measurements. */
    public INDArray measurements() {
        return measurements(0, size);
    }

    /** Measurements of examples [from, to). */
    public INDArray measurements(int from, int to) {
        return perExample(MEASUREMENTS, from, to);
    }

    /** The forward operator of examples [from, to), built from their stored parameters. */
    public LinearOperator operator(int from, int to) {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (String role : perExample.keySet()) {
            if (!role.equals(GROUND_TRUTH) && !role.equals(MEASUREMENTS)) {
                params.put(role, perExample(role, from, to));
            }
        }
        params.putAll(sharedParameters());
        return ForwardModels.operator(task, params);
    }

    /** The parameters shared by every example (the blur kernel), by role. */
    public Map<String, INDArray> sharedParameters() {
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (var e : shared.entrySet()) {
            params.put(e.getKey(), in.array(e.getValue()));
        }
        return params;
    }

    /** Roles of the per-example arrays of this split (ground_truth, measurements, mask, …). */
    public List<String> roles() {
        return List.copyOf(perExample.keySet());
    }

    /** A per-example array of examples [from, to), by manifest role. */
    public INDArray perExample(String role, int from, int to) {
        List<Shard> shards = perExample.get(role);
        if (shards == null) {
            throw new NodeFileException(in.dir().resolve(split), "no array with role '" + role + "'; roles: "
                    + perExample.keySet(), null);
        }
        if (from < 0 || to > size || from >= to) {
            throw new IndexOutOfBoundsException("examples [" + from + ", " + to + ") of split '" + split
                    + "' with " + size + " examples");
        }
        List<INDArray> parts = new ArrayList<>();
        for (Shard s : shards) {
            int a = Math.max(from, s.start());
            int b = Math.min(to, s.start() + s.count());
            if (a < b) {
                INDArray whole = shard(s.file());
                parts.add(rows(whole, a - s.start(), b - s.start()));
            }
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    private INDArray shard(String file) {
        if (!file.equals(cachedFile)) {
            cached = in.array(file);
            cachedFile = file;
        }
        return cached;
    }

    private static INDArray rows(INDArray a, int from, int to) {
        if (from == 0 && to == a.size(0)) {
            return a.dup();
        }
        INDArrayIndex[] idx = new INDArrayIndex[a.rank()];
        idx[0] = NDArrayIndex.interval(from, to);
        for (int i = 1; i < idx.length; i++) {
            idx[i] = NDArrayIndex.all();
        }
        return a.get(idx).dup('c');
    }
}
