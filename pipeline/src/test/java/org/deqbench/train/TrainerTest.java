package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The trainer on a toy least-squares model y = W x (double precision) whose gradient also carries
 * step-seeded noise, so that resuming is only exact if every random stream is derived correctly.
 */
class TrainerTest {
    @TempDir
    Path tmp;

    record Toy(INDArray x, INDArray y) {
    }

    static final class ToyData implements TrainingData<Toy> {
        final INDArray x;
        final INDArray y;

        ToyData(int n, long seed) {
            Nd4j.getRandom().setSeed(seed);
            x = Nd4j.randn(DataType.DOUBLE, n, 3);
            INDArray w = Nd4j.createFromArray(new double[][] {{1, -2, 0.5}, {0.3, 0.7, -1}});
            y = x.mmul(w.transpose());
        }

        @Override
        public int size() {
            return (int) x.size(0);
        }

        @Override
        public Toy batch(int[] idx) {
            return new Toy(x.getRows(idx), y.getRows(idx));
        }
    }

    static final class ToyModel implements TrainableModel<Toy> {
        final Map<String, INDArray> params = new LinkedHashMap<>();
        final double poison;
        final long poisonStep;

        ToyModel(long poisonStep) {
            params.put("w", Nd4j.zeros(DataType.DOUBLE, 2, 3));
            params.put("b", Nd4j.zeros(DataType.DOUBLE, 2));
            this.poison = Double.NaN;
            this.poisonStep = poisonStep;
        }

        @Override
        public Map<String, INDArray> parameters() {
            return params;
        }

        @Override
        public StepResult lossAndGradients(Toy batch, long step) {
            INDArray pred = batch.x().mmul(params.get("w").transpose()).addiRowVector(params.get("b"));
            INDArray r = pred.sub(batch.y());
            double n = batch.x().size(0);
            double loss = r.mul(r).sumNumber().doubleValue() / n;
            INDArray gw = r.transpose().mmul(batch.x()).muli(2 / n);
            INDArray gb = r.sum(0).muli(2 / n);
            Nd4j.getRandom().setSeed(RandomStreams.derive(7, "noise", step));
            gw.addi(Nd4j.randn(DataType.DOUBLE, 2, 3).muli(1e-3));
            if (step == poisonStep) {
                gb.putScalar(0, poison);
            }
            return new StepResult(loss, Map.of("w", gw, "b", gb), Map.of("grad_norm", gw.norm2Number().doubleValue()));
        }

        @Override
        public double[] validationScores(Toy batch) {
            INDArray pred = batch.x().mmul(params.get("w").transpose()).addiRowVector(params.get("b"));
            INDArray r = pred.sub(batch.y());
            double[] s = new double[(int) batch.x().size(0)];
            for (int i = 0; i < s.length; i++) {
                s[i] = -r.getRow(i).norm2Number().doubleValue();
            }
            return s;
        }
    }

    private TrainerSettings settings(Path ckpt, String fingerprint) {
        // 10 examples, batch 3 → 4 steps per epoch (the last one partial), 5 epochs = 20 steps
        return new TrainerSettings(5, 3, "cosine", 0.2, 3, 0, 11, ckpt, fingerprint);
    }

    @Test
    void lossDecreasesOnTheToyProblem() {
        ToyModel m = new ToyModel(-1);
        TrainingResult r = new Trainer<Toy>(settings(null, "a")).run(m, new ToyData(10, 1), new ToyData(4, 2));
        assertEquals(20, r.steps());
        assertEquals(20, r.stepRecords().size());
        assertEquals(5, r.epochRecords().size());
        double first = r.stepRecords().subList(0, 4).stream().mapToDouble(StepRecord::loss).average().orElseThrow();
        double last = r.stepRecords().subList(16, 20).stream().mapToDouble(StepRecord::loss).average().orElseThrow();
        assertTrue(last < 0.2 * first, "first epoch " + first + ", last " + last);
    }

    @Test
    void resumedRunEndsWhereAnUninterruptedRunEnds() {
        ToyModel straight = new ToyModel(-1);
        new Trainer<Toy>(settings(tmp.resolve("a"), "cfg")).run(straight, new ToyData(10, 1), new ToyData(4, 2));

        Path dir = tmp.resolve("b");
        ToyModel killed = new ToyModel(-1);
        TrainingListener killer = new TrainingListener() {
            @Override
            public void onStepEnd(StepRecord r) {
                if (r.step() == 13) { // mid-epoch 3, two steps after the checkpoint at step 12
                    throw new IllegalStateException("killed");
                }
            }
        };
        assertThrows(IllegalStateException.class, () -> new Trainer<Toy>(settings(dir, "cfg")).listener(killer)
                .run(killed, new ToyData(10, 1), new ToyData(4, 2)));
        assertTrue(Files.isRegularFile(dir.resolve(CheckpointStore.FILE)));

        ToyModel resumed = new ToyModel(-1); // fresh parameters: everything must come from the checkpoint
        long[] resumeSeen = {-1, -1};
        TrainingListener observer = new TrainingListener() {
            @Override
            public void onResume(long step, Path checkpoint, EpochRecord lastEpoch) {
                resumeSeen[0] = step;
                resumeSeen[1] = lastEpoch == null ? -1 : lastEpoch.epoch();
            }
        };
        TrainingResult r = new Trainer<Toy>(settings(dir, "cfg")).listener(observer)
                .run(resumed, new ToyData(10, 1), new ToyData(4, 2));
        assertEquals(12, r.resumedFrom());
        assertEquals(12, resumeSeen[0], "listeners hear where training resumes");
        assertEquals(2, resumeSeen[1], "with the last validated epoch (epochs of 4 steps: 0, 1, 2 done)");
        assertEquals(20, r.stepRecords().size());
        // same operations on the same inputs in the same order: equal to double rounding
        for (String k : straight.parameters().keySet()) {
            INDArray a = straight.parameters().get(k);
            INDArray b = resumed.parameters().get(k);
            assertTrue(a.equalsWithEps(b, 1e-12), k + ": " + a + " vs " + b);
        }
    }

    @Test
    void checkpointOfAnotherConfigurationIsNotResumed() {
        Path dir = tmp.resolve("c");
        new Trainer<Toy>(settings(dir, "old")).run(new ToyModel(-1), new ToyData(10, 1), null);
        TrainingResult r = new Trainer<Toy>(settings(dir, "new")).run(new ToyModel(-1), new ToyData(10, 1), null);
        assertEquals(0, r.resumedFrom());
    }

    @Test
    void nonFiniteGradientStopsWithAClearErrorAndKeepsTheLastGoodCheckpoint() throws Exception {
        Path dir = tmp.resolve("d");
        ToyModel m = new ToyModel(7);
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> new Trainer<Toy>(settings(dir, "cfg")).run(m, new ToyData(10, 1), new ToyData(4, 2)));
        assertTrue(e.getMessage().contains("step 7"), e.getMessage());
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve(CheckpointStore.FILE).toString()), e.getMessage());
        Checkpoint c = new CheckpointStore(dir).load().orElseThrow();
        assertEquals(6, c.step()); // written after step 5 (every 3 steps); the bad step wrote nothing
        assertTrue(!c.parameters().get("b").isNaN().any());
        assertTrue(!m.parameters().get("b").isNaN().any(), "the bad update must not be applied");
        assertEquals(7, e.partial().stepRecords().size());
        assertEquals(1, e.partial().epochRecords().size());
        // the model is back at the best validated parameters (epoch 0)
        double[] s = m.validationScores(new ToyData(4, 2).batch(new int[] {0, 1, 2, 3}));
        assertEquals(e.partial().bestValPsnr(), java.util.Arrays.stream(s).average().orElseThrow(), 1e-12);
    }

    @Test
    void bestValidationParametersAreKept() {
        ToyModel m = new ToyModel(-1);
        TrainingResult r = new Trainer<Toy>(settings(null, "a")).run(m, new ToyData(10, 1), new ToyData(4, 2));
        double best = r.epochRecords().stream().mapToDouble(EpochRecord::valPsnr).max().orElseThrow();
        assertEquals(best, r.bestValPsnr());
        double[] s = m.validationScores(new ToyData(4, 2).batch(new int[] {0, 1, 2, 3}));
        assertEquals(best, java.util.Arrays.stream(s).average().orElseThrow(), 1e-12);
    }

    @Test
    void shufflingDependsOnlyOnSeedAndEpoch() {
        int[] a = RandomStreams.permutation(50, RandomStreams.derive(3, "shuffle", 4));
        int[] b = RandomStreams.permutation(50, RandomStreams.derive(3, "shuffle", 4));
        int[] c = RandomStreams.permutation(50, RandomStreams.derive(3, "shuffle", 5));
        assertTrue(java.util.Arrays.equals(a, b));
        assertTrue(!java.util.Arrays.equals(a, c));
        assertEquals(50 * 49 / 2, java.util.Arrays.stream(a).sum());
    }
}
