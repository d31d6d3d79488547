package org.deqbench.stages;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deqbench.nn.ConvolutionNormBound;
import org.deqbench.nn.ConvolutionOperator;
import org.deqbench.solve.Lanczos;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code deqbench bench norm-bound}: time of the proven convolution norm bound
 * ({@link ConvolutionNormBound}) for one random C→C convolution on an image, and how far it lies
 * above the Lanczos estimate of the same norm (which approaches it from below).
 */
@Command(name = "norm-bound", mixinStandardHelpOptions = true,
        header = "Times the proven convolution norm bound against a Lanczos estimate of the same norm.",
        description = {"Seconds per proven convolution norm bound (DFT + Cholesky) and its ratio to a Lanczos estimate.",
                "Defaults: 3x3 kernel, 64 -> 64 channels, 64x64 image, 3 rounds."})
public final class BenchNormBoundCommand implements Callable<Integer> {
    @Mixin
    BenchOptions.Report out = new BenchOptions.Report("bench-norm-bound.json");

    @Option(names = "--channels", defaultValue = "64", description = "channels in and out (default: ${DEFAULT-VALUE})")
    int channels;

    @Option(names = "--size", defaultValue = "64", description = "image height and width (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--kernel", defaultValue = "3", description = "odd kernel size (default: ${DEFAULT-VALUE})")
    int kernel;

    @Mixin
    BenchOptions.Rounds rounds = new BenchOptions.Rounds(3);

    @Override
    public Integer call() throws Exception {
        Nd4j.getRandom().setSeed(1);
        INDArray w = Nd4j.randn(DataType.DOUBLE, kernel, kernel, channels, channels)
                .muli(1.0 / Math.sqrt(kernel * kernel * channels));
        List<Double> seconds = new ArrayList<>();
        ConvolutionNormBound.Result r = null;
        for (int i = 0; i < rounds.count; i++) {
            long t0 = System.nanoTime();
            r = ConvolutionNormBound.of(w, size, size);
            seconds.add((System.nanoTime() - t0) / 1e9);
        }
        long t0 = System.nanoTime();
        double lanczos = new ConvolutionOperator(w, size, size).operatorNorm(new Lanczos(16, 320, 1e-10), 3).value();
        double lanczosSeconds = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("kernel", kernel);
        report.put("channels", channels);
        report.put("size", size);
        report.put("seconds", seconds);
        report.put("bound", r.bound());
        report.put("circular_norm_estimate", r.circularEstimate());
        report.put("frequencies", r.frequencies());
        report.put("cholesky_checks", r.choleskyChecks());
        report.put("lanczos_estimate", lanczos);
        report.put("lanczos_seconds", lanczosSeconds);
        report.put("bound_over_lanczos", r.bound() / lanczos);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.file.toFile(), report);
        System.out.println(new ObjectMapper().writeValueAsString(report));
        return 0;
    }
}
