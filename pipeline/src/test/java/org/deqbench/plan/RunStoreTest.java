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
}
