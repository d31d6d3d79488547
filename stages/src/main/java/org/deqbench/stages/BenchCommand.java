package org.deqbench.stages;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.deqbench.nn.KernelBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code deqbench bench <subcommand>}: benchmark programs that write JSON. Speed and memory are
 * measured here, never in unit tests.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Benchmarks the numerical kernels and training memory; each writes a JSON report.",
        description = "Benchmarks of the numerical kernels; each subcommand writes a JSON report.",
        subcommands = {BenchCommand.Kernels.class, BenchMemoryCommand.class, BenchReferenceCommand.class,
            BenchNormBoundCommand.class, BenchProfileStepCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand: kernels, memory, reference, norm-bound or profile-step");
    }

    /**
     * {@code deqbench bench kernels --out bench-kernels.json}: CNN forward and forward + VJP
     * throughput against ND4J's float32 gemm in the same run ({@link KernelBenchmark}).
     * Exit code 0 when the report is written (whether or not the throughput goals are met).
     */
    @Command(name = "kernels", mixinStandardHelpOptions = true,
        header = "Measures CNN forward and forward+VJP throughput against a float32 matrix multiply.",
            description = {"CNN forward and forward+VJP throughput (GFLOP/s of the convolutions) against a large "
                    + "float32 matrix multiply, on the CPU backend, in one run.",
                    "Defaults: 5 layers x 64 channels, shapes 4x2x64x64 and 1x2x256x256 (2D network) and 1x2x8x64x64"
                            + " (3D network), gemm 2048, 5 rounds."})
    public static final class Kernels implements Callable<Integer>, UsesNd4j {
        @Mixin
        BenchOptions.Report out = new BenchOptions.Report("bench-kernels.json");

        @Mixin
        BenchOptions.Rounds rounds = new BenchOptions.Rounds(5);

        @Option(names = "--gemm-size", defaultValue = "2048", paramLabel = "<n>",
                description = "n of the n x n float32 gemm (default: ${DEFAULT-VALUE})")
        int gemmSize;

        @Option(names = "--channels", defaultValue = "64", description = "hidden channels (default: ${DEFAULT-VALUE})")
        int channels;

        @Option(names = "--layers", defaultValue = "5", description = "convolutions (default: ${DEFAULT-VALUE})")
        int layers;

        @Option(names = "--shape", paramLabel = "<BxCxHxW|BxCxDxHxW>", split = ",",
                description = "input shapes; five sizes run the 3D network (default: 4x2x64x64,1x2x256x256,1x2x8x64x64)")
        List<String> shapes = new ArrayList<>();

        @Option(names = "--threads", defaultValue = "0",
                description = "ND4J native threads; 0 keeps the backend default (default: ${DEFAULT-VALUE})")
        int threads;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            List<KernelBenchmark.Shape> parsed = new ArrayList<>();
            try {
                for (String s : shapes) {
                    parsed.add(KernelBenchmark.Shape.parse(s));
                }
                if (parsed.isEmpty()) {
                    parsed.addAll(KernelBenchmark.Settings.defaults().shapes());
                }
                KernelBenchmark.Settings settings =
                        new KernelBenchmark.Settings(rounds.count, gemmSize, channels, layers, parsed, threads);
                var out2 = spec.commandLine().getOut();
                KernelBenchmark.Result result = KernelBenchmark.run(settings, line -> {
                    out2.println(line);
                    out2.flush();
                });
                KernelBenchmark.write(result, out.file);
                out2.println("wrote " + out.file.toAbsolutePath());
                return 0;
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage(), e);
            }
        }
    }
}
