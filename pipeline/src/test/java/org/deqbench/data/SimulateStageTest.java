package org.deqbench.data;

import org.deqbench.stage.SimulateStage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.deqbench.physics.LinearOperator;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class SimulateStageTest {
    @TempDir
    Path tmp;

    static final String SPEC = """
            name: tiny
            seed: 3
            tasks:
              - name: mri-tiny
                problem: mri
                size: [16, 12]
                train: 3
                test: 2
                shard_size: 2
                noise: {sigma: 0.01}
                mri: {coils: 3, acceleration: 2, mask_per_example: true}
            methods:
              - name: zf
                kind: zero-filled
            """;

    private Path spec() throws IOException {
        Path p = tmp.resolve("tiny.yaml");
        Files.writeString(p, SPEC);
        return p;
    }

    /** Every file but the completion marker (which records a time) under a node folder, sorted. */
    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals(RunStore.MARKER))
                    .map(dir::relativize).sorted().toList();
        }
    }

    @Test
    void sameSpecGivesBitIdenticalFiles() throws Exception {
        Path spec = spec();
        Path a = NodeExecutor.run(new SimulateStage(), spec, tmp.resolve("run-a"), "mri-tiny", null, false).dir();
        Path b = NodeExecutor.run(new SimulateStage(), spec, tmp.resolve("run-b"), "mri-tiny", null, false).dir();
        List<Path> fa = files(a);
        assertEquals(fa, files(b));
        assertTrue(fa.contains(Path.of("train/ground_truth.00001.npy")), "3 train examples in shards of 2: " + fa);
        assertTrue(fa.contains(Path.of("test/measurements.npy")), "2 test examples fit one file: " + fa);
        for (Path f : fa) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), "file " + f + " differs");
        }
    }

    /**
     * The numpy-style check: from the files alone, b − A x is the noise, whose norm is
     * σ·sqrt(#measured real entries) up to chi-square fluctuations: with m ≈ 1000 entries the
     * relative deviation has standard deviation 1/sqrt(2m) ≈ 2 %, so ±10 % cannot fail by chance.
     */
    @Test
    void measurementsAreTheOperatorAppliedToGroundTruthPlusNoise() throws Exception {
        Path run = tmp.resolve("run");
        NodeExecutor.run(new SimulateStage(), spec(), run, "mri-tiny", null, false);
        NodeInput in = new RunStore(run).input("simulate/mri-tiny");
        SimulatedSplit train = SimulatedData.load(in, "train");
        assertEquals(3, train.size());
        assertEquals("mri-tiny", train.task().name());
        INDArray x = train.groundTruth();
        assertArrayEquals(new long[] {3, 2, 16, 12}, x.shape());
        assertEquals(DataType.FLOAT, x.dataType());
        INDArray b = train.measurements(1, 3);
        assertArrayEquals(new long[] {2, 3, 2, 16, 12}, b.shape());
        for (int i = 0; i < 3; i++) {
            INDArray xi = x.slice(i);
            double maxMag = org.nd4j.linalg.ops.transforms.Transforms.sqrt(xi.slice(0).mul(xi.slice(0))
                    .add(xi.slice(1).mul(xi.slice(1)))).maxNumber().doubleValue();
            assertEquals(1.0, maxMag, 1e-6, "example " + i + " scaled to max magnitude 1");
        }
        LinearOperator a = train.operator(1, 3);
        INDArray residual = b.castTo(DataType.DOUBLE).sub(a.apply(train.groundTruth(1, 3).castTo(DataType.DOUBLE)));
        INDArray masks = train.perExample("mask", 1, 3);
        double measured = masks.sumNumber().doubleValue() * 2 * 3;
        double sigma = in.manifest().conventions().get("noise_sigma") instanceof Number n ? n.doubleValue() : -1;
        assertEquals(0.01, sigma);
        double expected = sigma * Math.sqrt(measured);
        assertEquals(expected, residual.norm2Number().doubleValue(), 0.1 * expected);
        // and nothing is measured outside the mask
        INDArray outside = b.castTo(DataType.DOUBLE).mul(masks.castTo(DataType.DOUBLE).rsub(1)
                .reshape(2, 1, 1, 16, 12).broadcast(2, 3, 2, 16, 12));
        assertEquals(0, outside.norm2Number().doubleValue(), 0);
        assertFalse(train.perExample("mask", 0, 1).equals(train.perExample("mask", 1, 2)),
                "mask_per_example draws a different mask for each example");
    }
}
