package org.deqbench.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class RunStoreTest {
    @TempDir
    Path runDir;

    private static PlanNode node(String id, String hash) {
        return new PlanNode(id, "train", "t", "m", List.of(), hash, List.of("train"));
    }

    @Test
    void outputIsInvisibleUntilCommittedAndThenComplete() throws IOException {
        RunStore store = new RunStore(runDir);
        PlanNode n = node("train/t/m", "h1");
        NodeOutput out = store.begin(n);
        INDArray a = Nd4j.arange(6).reshape(2, 3).castTo(DataType.FLOAT);
        out.writeArray("x.npy", a, "reconstruction", "test");
        out.writeJson("meta.json", Map.of("k", 1), "metadata", "test");
        assertFalse(Files.exists(store.nodeDir(n.id())), "nothing visible before commit");
        assertFalse(store.isComplete(n));
        out.commit();
        assertTrue(store.isComplete(n));
        NodeInput in = store.input(n.id());
        assertEquals(a, in.array("x.npy"));
        Manifest m = in.manifest();
        assertEquals(List.of(2L, 3L), m.entry("x.npy").shape());
        assertEquals("float32", m.entry("x.npy").dtype());
        assertEquals("h1", m.hash());
    }

    @Test
    void aDifferentHashIsNotComplete() {
        RunStore store = new RunStore(runDir);
        store.begin(node("n", "h1")).commit();
        assertTrue(store.isComplete(node("n", "h1")));
        assertFalse(store.isComplete(node("n", "h2")));
    }

    @Test
    void recommitReplacesTheOldOutputWhole() {
        RunStore store = new RunStore(runDir);
        NodeOutput first = store.begin(node("n", "h1"));
        first.writeJson("old.json", Map.of(), "x", "old");
        first.commit();
        NodeOutput second = store.begin(node("n", "h2"));
        second.writeJson("new.json", Map.of(), "x", "new");
        second.commit();
        assertFalse(Files.exists(store.nodeDir("n").resolve("old.json")));
        assertTrue(Files.exists(store.nodeDir("n").resolve("new.json")));
        assertEquals("h2", store.completedHash("n"));
    }

    @Test
    void aKilledNodeLeavesOnlyATemporaryFolderThatIsCleanedUp() throws IOException {
        RunStore store = new RunStore(runDir);
        NodeOutput out = store.begin(node("train/t/m", "h"));
        out.writeJson("partial.json", Map.of(), "x", "half written");
        // the process dies here: no commit, no abandon
        assertFalse(store.isComplete(node("train/t/m", "h")));
        List<Path> removed = store.cleanAbandoned();
        assertEquals(1, removed.size());
        assertFalse(Files.exists(out.dir()));
    }

    @Test
    void aFailingStageLeavesNothingAndReportsTheNode() throws Exception {
        Path spec = runDir.resolve("spec.yaml");
        Files.writeString(spec, PlannerTest.SPEC);
        Stage failing = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) {
                ctx.output().writeJson("a.json", Map.of(), "x", "x");
                throw new IllegalStateException("boom");
            }
        };
        Path store = runDir.resolve("runs");
        assertThrows(IllegalStateException.class, () -> NodeExecutor.run(failing, spec, store, "a", null, false));
        assertFalse(Files.exists(store.resolve("simulate/a")));
        try (var walk = Files.walk(store)) {
            assertTrue(walk.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")), "temporary folder removed");
        }
    }

    @Test
    void aNodeRefusesToRunOnMissingInputsAndNamesThem() throws IOException {
        Path spec = runDir.resolve("spec.yaml");
        Files.writeString(spec, PlannerTest.SPEC);
        Stage train = new Stage() {
            @Override public String name() { return "train"; }
            @Override public void run(NodeContext ctx) { }
        };
        NodeOutputError e = assertThrows(NodeOutputError.class,
                () -> NodeExecutor.run(train, spec, runDir.resolve("runs"), "a", "zf", false));
        assertTrue(e.getMessage().contains("simulate/a"), e.getMessage());
    }

    @Test
    void aCompletedNodeIsSkipped() throws Exception {
        Path spec = runDir.resolve("spec.yaml");
        Files.writeString(spec, PlannerTest.SPEC);
        int[] runs = {0};
        Stage sim = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) { runs[0]++; }
        };
        Path store = runDir.resolve("runs");
        assertFalse(NodeExecutor.run(sim, spec, store, "a", null, false).skipped());
        assertTrue(NodeExecutor.run(sim, spec, store, "a", null, false).skipped());
        assertEquals(1, runs[0]);
        assertFalse(NodeExecutor.run(sim, spec, store, "a", null, true).skipped(), "--force reruns");
        assertEquals(2, runs[0]);
    }

    @Test
    void aCorruptInputArrayNamesTheFile() throws IOException {
        RunStore store = new RunStore(runDir);
        NodeOutput out = store.begin(node("n", "h"));
        Files.writeString(out.resolve("bad.npy"), "not numpy");
        out.addFile("bad.npy", "x", "npy", "corrupt on purpose");
        out.commit();
        NodeOutputError e = assertThrows(NodeOutputError.class, () -> store.input("n").array("bad.npy"));
        assertTrue(e.getMessage().contains("bad.npy"), e.getMessage());
    }

    /** Runs simulate/a and train/a/zf of the tiny spec with stages that write one array each. */
    private Path simulateAndTrain(Path store, float[] measurements) throws Exception {
        Path spec = runDir.resolve("spec.yaml");
        Files.writeString(spec, PlannerTest.SPEC);
        Stage sim = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) {
                ctx.output().writeArray("measurements.npy", Nd4j.createFromArray(measurements), "measurements", "b");
            }
        };
        Stage train = new Stage() {
            @Override public String name() { return "train"; }
            @Override public void run(NodeContext ctx) {
                INDArray b = ctx.simulated().array("measurements.npy");
                ctx.output().writeArray("recon.npy", b.mul(2), "reconstruction", "2b");
            }
        };
        NodeExecutor.run(sim, spec, store, "a", null, true);
        NodeExecutor.run(train, spec, store, "a", "zf", true);
        return spec;
    }

    private static Plan tinyPlan(Path spec, Path store) {
        return Planner.plan(PlannerTest.spec(PlannerTest.SPEC), spec.toString(), store.toString());
    }

    @Test
    void aTruncatedOrAlteredInputIsDetectedAndNamed() throws Exception {
        Path store = runDir.resolve("runs");
        Path spec = simulateAndTrain(store, new float[] {1, 2, 3, 4});
        RunStore rs = new RunStore(store);
        Plan plan = tinyPlan(spec, store);
        assertTrue(rs.isComplete(plan.node("simulate/a")));
        assertTrue(rs.isComplete(plan.node("train/a/zf")));
        Path b = store.resolve("simulate/a/measurements.npy");
        byte[] bytes = Files.readAllBytes(b);
        Files.write(b, java.util.Arrays.copyOf(bytes, bytes.length - 4)); // truncated
        String why = rs.staleReason(plan.node("simulate/a"));
        assertTrue(why != null && why.contains("measurements.npy") && why.contains("truncated"), why);
        // a node reading it stops with one line naming the file
        Stage train = new Stage() {
            @Override public String name() { return "train"; }
            @Override public void run(NodeContext ctx) { }
        };
        NodeOutputError e = assertThrows(NodeOutputError.class,
                () -> NodeExecutor.run(train, spec, store, "a", "zf", true));
        assertTrue(e.getMessage().contains("measurements.npy"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        // same length, one byte changed: detected too
        bytes[bytes.length - 1] ^= 1;
        Files.write(b, bytes);
        assertTrue(rs.staleReason(plan.node("simulate/a")).contains("measurements.npy"));
        assertThrows(NodeOutputError.class, () -> rs.input("simulate/a").verify());
    }

    @Test
    void aRewrittenInputMakesItsDownstreamNodesStale() throws Exception {
        Path store = runDir.resolve("runs");
        Path spec = simulateAndTrain(store, new float[] {1, 2, 3, 4});
        // simulate is forced with other measurements; train has not run since
        Stage sim = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) {
                ctx.output().writeArray("measurements.npy", Nd4j.createFromArray(5f, 6f), "measurements", "b");
            }
        };
        NodeExecutor.run(sim, spec, store, "a", null, true);
        RunStore rs = new RunStore(store);
        Plan plan = tinyPlan(spec, store);
        assertTrue(rs.isComplete(plan.node("simulate/a")));
        String why = rs.staleReason(plan.node("train/a/zf"));
        assertTrue(why != null && why.contains("simulate/a"), why);
        assertFalse(rs.isComplete(plan.node("certify/a/zf")));
    }

    @Test
    void aNodeMadeByOtherCodeIsStaleUnlessCodeVersionsAreIgnored() throws Exception {
        Path store = runDir.resolve("runs");
        Path spec = simulateAndTrain(store, new float[] {1, 2});
        Path marker = store.resolve("simulate/a").resolve(RunStore.MARKER);
        String text = Files.readString(marker);
        Files.writeString(marker, text.replace(CodeVersion.current(), "sha256:0000000000000000"));
        Plan plan = tinyPlan(spec, store);
        assertTrue(new RunStore(store).staleReason(plan.node("simulate/a")).contains("other code"));
        assertTrue(new RunStore(store, false).isComplete(plan.node("simulate/a")));
    }

    @Test
    void aNaNArrayOrMetricNeverCompletesANode() throws Exception {
        Path store = runDir.resolve("runs");
        Path spec = runDir.resolve("spec.yaml");
        Files.writeString(spec, PlannerTest.SPEC);
        Stage nanArray = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) {
                ctx.output().writeArray("x.npy", Nd4j.createFromArray(1f, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN),
                        "measurements", "b");
            }
        };
        FiniteValues.NonFiniteValueException e = assertThrows(FiniteValues.NonFiniteValueException.class,
                () -> NodeExecutor.run(nanArray, spec, store, "a", null, true));
        assertTrue(e.getMessage().contains("x.npy") && e.getMessage().contains("2 NaN and 1 infinite"), e.getMessage());
        assertFalse(Files.exists(store.resolve("simulate/a")));
        Stage nanJson = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) {
                ctx.output().writeJson("m.json", Map.of("mean", Map.of("psnr", Double.NaN)), "metrics", "m");
            }
        };
        e = assertThrows(FiniteValues.NonFiniteValueException.class,
                () -> NodeExecutor.run(nanJson, spec, store, "a", null, true));
        assertTrue(e.getMessage().contains("mean.psnr"), e.getMessage());
        Stage nanMetric = new Stage() {
            @Override public String name() { return "simulate"; }
            @Override public void run(NodeContext ctx) {
                ctx.tracker().logMetric("test_psnr", Double.POSITIVE_INFINITY);
            }
        };
        e = assertThrows(FiniteValues.NonFiniteValueException.class,
                () -> NodeExecutor.run(nanMetric, spec, store, "a", null, true));
        assertTrue(e.getMessage().contains("test_psnr"), e.getMessage());
        assertFalse(Files.exists(store.resolve("simulate/a")));
    }
}
