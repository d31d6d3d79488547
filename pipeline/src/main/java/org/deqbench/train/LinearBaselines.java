package org.deqbench.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.data.SimulatedData;
import org.deqbench.data.SimulatedSplit;
import org.deqbench.metrics.ImageScores;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What the non-learned baselines ({@link ZeroFilledMethod}, {@link CgSenseMethod}) share: test-split
 * reconstruction in batches, per-image scores and the node's outputs. Computation is in float64;
 * outputs are stored as float32.
 */
final class LinearBaselines {
    /** Examples per operator batch. */
    private static final int BATCH = 8;

    private LinearBaselines() {
    }

    /**
     * Reconstructs the test split with {@code method} and writes the node's outputs:
     * {@code reconstructions.npy}, {@code metrics.json} and {@code method.json} ({@code info} plus
     * time and memory).
     */
    static void finish(TrainingRun run, Reconstructor method, Map<String, Object> info, long startNanos) {
        MethodSpec m = run.method();
        SimulatedSplit test = SimulatedData.load(run.simulated(), "test");
        INDArray recon = reconstructAll(method, test);
        List<Map<String, Object>> perImage = rows(ImageScores.perImage(test.groundTruth(0, test.size()), recon));
        run.output().writeArray("reconstructions.npy", recon.castTo(DataType.FLOAT), "reconstruction",
                "test-split reconstructions, same layout as simulate's test/ground_truth.npy");
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("per_image", perImage);
        metrics.put("mean", Map.of("psnr", mean(perImage, "psnr"), "ssim", mean(perImage, "ssim"),
                "nmse", mean(perImage, "nmse")));
        run.output().writeJson("metrics.json", metrics, "metrics", "per-image PSNR, SSIM, NMSE on the test split");
        MethodDescription description = new MethodDescription(m.kind().key(), (System.nanoTime() - startNanos) / 1e9,
                MemoryProbe.residentBytes(), info);
        run.output().writeJson("method.json", description, "method",
                "chosen parameters, training time (s) and the process's resident memory (bytes)");
        run.logMetric("test_psnr", mean(perImage, "psnr"));
        run.logMetric("test_ssim", mean(perImage, "ssim"));
        run.logMetric("test_nmse", mean(perImage, "nmse"));
        System.out.printf("  %s: test PSNR %.2f dB, SSIM %.4f%n", m.name(), mean(perImage, "psnr"), mean(perImage, "ssim"));
    }

    /** Mean PSNR of {@code method} on a whole split. */
    static double meanPsnr(Reconstructor method, SimulatedSplit split) {
        return mean(metrics(method, split), "psnr");
    }

    /** Reconstructs a whole split in batches, in float64. */
    static INDArray reconstructAll(Reconstructor method, SimulatedSplit split) {
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < split.size(); from += BATCH) {
            int to = Math.min(split.size(), from + BATCH);
            parts.add(method.reconstruct(split.measurements(from, to).castTo(DataType.DOUBLE), split.operator(from, to)));
        }
        return parts.size() == 1 ? parts.get(0) : Nd4j.concat(0, parts.toArray(INDArray[]::new));
    }

    private static List<Map<String, Object>> metrics(Reconstructor method, SimulatedSplit split) {
        return rows(ImageScores.perImage(split.groundTruth(0, split.size()), reconstructAll(method, split)));
    }

    /** Per-image rows {index, psnr, ssim, nmse} as written to metrics.json. */
    static List<Map<String, Object>> rows(List<ImageScores> scores) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int i = 0; i < scores.size(); i++) {
            ImageScores s = scores.get(i);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", i);
            row.put("psnr", s.psnr());
            row.put("ssim", s.ssim());
            row.put("nmse", s.nmse());
            rows.add(row);
        }
        return rows;
    }

    static double mean(List<Map<String, Object>> rows, String key) {
        return rows.stream().mapToDouble(r -> ((Number) r.get(key)).doubleValue()).average().orElse(Double.NaN);
    }
}
