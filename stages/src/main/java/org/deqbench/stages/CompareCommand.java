package org.deqbench.stages;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.deqbench.report.RunComparison;
import org.deqbench.spec.RegressionSpec;
import org.deqbench.spec.SpecException;
import org.deqbench.spec.SpecLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code deqbench compare <baseline> <candidate>}: the regression gate. Compares two runs'
 * {@code report/summary.json} with {@link RunComparison} and prints a table.
 * Exit code 0: within tolerance; 1: a regression, or a row/metric missing in the candidate;
 * 2: bad usage or a summary that cannot be found or read.
 */
@Command(name = "compare",
        header = "Compares a candidate run's summary with a baseline's against regression tolerances.",
        description = {"Compare a candidate run's report/summary.json with a baseline's, per metric, against "
                + "the experiment's regression tolerances.",
                "Put options first and the two runs after '--' (deqbench compare --spec s.yaml -- <baseline> "
                + "<candidate>), so that a run name can never be read as an option. Runs of different "
                + "experiments or specs are refused unless --allow-different-specs.",
                "A run is a run directory (runs/<experiment>), a summary.json file, runs:/<MLflow run id>, or a "
                + "bare MLflow run id when MLFLOW_TRACKING_URI is set (the summary is downloaded through the "
                + "tracking server's artifact proxy)."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every metric within tolerance", "1:regression, or a row/metric missing in the candidate",
                "2:usage error, or a summary that cannot be found or read"})
public final class CompareCommand implements Callable<Integer> {
    static final int PASS = 0;
    static final int REGRESSION = 1;
    static final int UNUSABLE = 2;

    @Parameters(index = "0", arity = "0..1", paramLabel = "<baseline>",
            description = "the reference run: a run directory, its summary.json, or an MLflow run id")
    String baseline;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<candidate>", description = "the run under test")
    String candidate;

    @Option(names = {"-h", "--help"}, description = "Show this help and exit (alone: with other arguments it is an error).")
    boolean help;

    @Option(names = "--allow-different-specs",
            description = "compare runs of different experiments or spec hashes (refused otherwise)")
    boolean allowDifferentSpecs;

    @Option(names = "--spec", paramLabel = "<spec.yaml>",
            description = "the candidate's experiment spec; its regression.tolerances are the defaults "
                    + "(without it: psnr=0.2, ssim=0.01, nmse=0.005)")
    Path spec;

    @Option(names = "--tolerance", paramLabel = "<metric=value>", split = ",",
            description = "override or add an absolute tolerance, e.g. --tolerance psnr=0.5,ssim=0.02; "
                    + "metrics: psnr, ssim (higher is better), nmse, lipschitz_upper, train_seconds, "
                    + "train_peak_bytes, forward_iterations (lower is better)")
    Map<String, Double> tolerances = new TreeMap<>();

    @Option(names = "--artifact-path", defaultValue = RunComparison.SUMMARY_PATH, paramLabel = "<path>",
            description = "the summary's path among an MLflow run's artifacts (default: ${DEFAULT-VALUE})")
    String artifactPath;

    @Spec
    CommandSpec command;

    /** The environment that holds MLFLOW_TRACKING_URI and credentials; replaced in tests. */
    Map<String, String> environment = System.getenv();

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        if (help) {
            // A help flag among real arguments is a baseline gone wrong (a gate must not pass on it).
            if (baseline != null || candidate != null || spec != null || !tolerances.isEmpty()) {
                err.println("deqbench compare: --help takes no other arguments; to compare, put the runs after"
                        + " '--': deqbench compare [options] -- <baseline> <candidate>");
                return UNUSABLE;
            }
            command.commandLine().usage(out);
            return PASS;
        }
        if (baseline == null || candidate == null) {
            err.println("deqbench compare: expected two runs: deqbench compare [options] -- <baseline> <candidate>");
            return UNUSABLE;
        }
        Map<String, Double> tol;
        try {
            tol = new TreeMap<>(spec == null ? RegressionSpec.DEFAULT.tolerances()
                    : SpecLoader.load(spec).regression().tolerances());
        } catch (SpecException e) {
            err.println(e.getMessage());
            return UNUSABLE;
        }
        tol.putAll(tolerances);
        try {
            RunComparison.LoadedRun base = RunComparison.loadRun(baseline, environment, artifactPath);
            RunComparison.LoadedRun cand = RunComparison.loadRun(candidate, environment, artifactPath);
            if (!allowDifferentSpecs) {
                String why = different(base, cand);
                if (why != null) {
                    err.println("deqbench compare: " + why + "; a regression gate compares runs of one spec"
                            + " (pass --allow-different-specs to compare them anyway)");
                    return UNUSABLE;
                }
            }
            RunComparison.Result result = RunComparison.compare(base.rows(), cand.rows(), tol);
            out.println("baseline:  " + baseline);
            out.println("candidate: " + candidate);
            out.print(result.table());
            out.flush();
            return result.passed() ? PASS : REGRESSION;
        } catch (RunComparison.SummaryException | IllegalArgumentException e) {
            err.println("deqbench compare: " + e.getMessage());
            return UNUSABLE;
        }
    }

    /** Why two runs are not runs of one spec, or null (a summary that does not say is not refused). */
    static String different(RunComparison.LoadedRun base, RunComparison.LoadedRun cand) {
        if (base.experiment() != null && cand.experiment() != null && !base.experiment().equals(cand.experiment())) {
            return "the baseline ran experiment '" + base.experiment() + "', the candidate '" + cand.experiment() + "'";
        }
        if (base.specHash() != null && cand.specHash() != null && !base.specHash().equals(cand.specHash())) {
            return "the runs were planned from different specs (spec_hash " + base.specHash().substring(0,
                    Math.min(12, base.specHash().length())) + "… vs " + cand.specHash().substring(0,
                    Math.min(12, cand.specHash().length())) + "…)";
        }
        return null;
    }
}
