package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CompareCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int code, String out, String err) {
    }

    private Outcome run(String... args) {
        CompareCommand command = new CompareCommand();
        command.environment = Map.of();
        CommandLine cli = new CommandLine(command);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    private String runDir(String name, String rows) throws IOException {
        Path report = Files.createDirectories(dir.resolve(name).resolve("report"));
        Files.writeString(report.resolve("summary.json"), "{\"rows\": [" + rows + "]}");
        return dir.resolve(name).toString();
    }

    private static String row(String method, double psnr, double ssim, double nmse) {
        return String.format(java.util.Locale.ROOT,
                "{\"task\": \"mri\", \"method\": \"%s\", \"psnr\": %s, \"ssim\": %s, \"nmse\": %s}",
                method, psnr, ssim, nmse);
    }

    private static Path tinySpec() throws URISyntaxException {
        return Path.of(CompareCommandTest.class.getResource("/experiments/tiny.yaml").toURI());
    }

    @Test
    void exitsZeroAndPrintsTheTableWhenTheCandidateIsWithinTolerance() throws IOException {
        String base = runDir("base", row("modl", 30.0, 0.90, 0.02) + "," + row("mol", 31.0, 0.91, 0.02));
        String cand = runDir("cand", row("modl", 29.9, 0.90, 0.02) + "," + row("mol", 31.5, 0.92, 0.01));
        Outcome o = run(base, cand);
        assertEquals(0, o.code(), o.out() + o.err());
        assertTrue(o.out().contains("PASS: 6 checks"), o.out());
        assertTrue(o.out().contains("mri   modl    psnr"), o.out());
    }

    @Test
    void exitsOneOnARegressionBeyondTheSpecsToleranceAndTheCommandLineOverridesIt() throws Exception {
        String base = runDir("base", row("modl", 30.0, 0.90, 0.02));
        String cand = runDir("cand", row("modl", 29.6, 0.90, 0.02));
        // Default psnr tolerance 0.2: a drop of 0.4 regresses; the tiny spec allows 0.5.
        Outcome dflt = run(base, cand);
        assertEquals(1, dflt.code(), dflt.out());
        assertTrue(dflt.out().contains("REGRESSION: psnr dropped by 0.4"), dflt.out());
        Outcome spec = run(base, cand, "--spec", tinySpec().toString());
        assertEquals(0, spec.code(), spec.out() + spec.err());
        Outcome tighter = run(base, cand, "--spec", tinySpec().toString(), "--tolerance", "psnr=0.1,ssim=0.05");
        assertEquals(1, tighter.code(), tighter.out());
    }

    @Test
    void exitsOneNamingTheRowOrMetricMissingInTheCandidate() throws IOException {
        String base = runDir("base", row("modl", 30.0, 0.90, 0.02) + "," + row("mol", 31.0, 0.91, 0.02));
        String cand = runDir("cand", "{\"task\": \"mri\", \"method\": \"modl\", \"psnr\": 30.0, \"nmse\": 0.02}");
        Outcome o = run(base, cand);
        assertEquals(1, o.code(), o.out());
        assertTrue(o.out().contains("row task=mri method=mol is missing in the candidate"), o.out());
        assertTrue(o.out().contains("ssim is missing in the candidate's row task=mri method=modl"), o.out());
    }

    @Test
    void exitsTwoWhenASummaryOrTheSpecCannotBeUsed() throws IOException {
        String base = runDir("base", row("modl", 30.0, 0.90, 0.02));
        Outcome missing = run(base, dir.resolve("nowhere").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nowhere") && missing.err().contains("neither an existing run directory"),
                missing.err());
        Files.createDirectories(dir.resolve("unfinished"));
        Outcome unfinished = run(base, dir.resolve("unfinished").toString());
        assertEquals(2, unfinished.code());
        assertTrue(unfinished.err().contains("no report/summary.json"), unfinished.err());
        assertEquals(2, run(base, base, "--tolerance", "speed=1").code());
        assertEquals(2, run(base, base, "--spec", dir.resolve("absent.yaml").toString()).code());
        assertEquals(2, run(base).code());
    }

    private String namedRun(String name, String experiment, String specHash, String rows) throws IOException {
        Path report = Files.createDirectories(dir.resolve(name).resolve("report"));
        Files.writeString(report.resolve("summary.json"), "{\"experiment\": \"" + experiment + "\", \"spec_hash\": \""
                + specHash + "\", \"rows\": [" + rows + "]}");
        return dir.resolve(name).toString();
    }

    @Test
    void aHelpFlagAsTheBaselineFailsTheGate() throws Exception {
        String cand = runDir("cand", row("modl", 10.0, 0.10, 0.90));
        // what the DAG ran before: the baseline text first, the options after it
        Outcome asOption = run("--help", cand, "--spec", tinySpec().toString());
        assertEquals(2, asOption.code(), asOption.out() + asOption.err());
        assertTrue(asOption.err().contains("--help takes no other arguments"), asOption.err());
        // what the DAG runs now: options, then the runs after '--'
        Outcome afterSeparator = run("--spec", tinySpec().toString(), "--", "--help", cand);
        assertEquals(2, afterSeparator.code(), afterSeparator.out() + afterSeparator.err());
        assertTrue(afterSeparator.err().contains("'--help' is neither an existing run directory"), afterSeparator.err());
        Outcome help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("--allow-different-specs"), help.out());
    }

    @Test
    void runsOfDifferentExperimentsOrSpecsAreRefusedUnlessAllowed() throws IOException {
        String base = namedRun("base", "quickstart", "aaaaaaaaaaaaaaaa", row("modl", 30.0, 0.90, 0.02));
        String other = namedRun("other", "paper-mri", "aaaaaaaaaaaaaaaa", row("modl", 30.0, 0.90, 0.02));
        String edited = namedRun("edited", "quickstart", "bbbbbbbbbbbbbbbb", row("modl", 30.0, 0.90, 0.02));
        String same = namedRun("same", "quickstart", "aaaaaaaaaaaaaaaa", row("modl", 30.0, 0.90, 0.02));
        Outcome o = run("--", base, other);
        assertEquals(2, o.code(), o.out() + o.err());
        assertTrue(o.err().contains("'quickstart'") && o.err().contains("'paper-mri'"), o.err());
        Outcome e = run("--", base, edited);
        assertEquals(2, e.code(), e.out() + e.err());
        assertTrue(e.err().contains("different specs"), e.err());
        assertEquals(0, run("--allow-different-specs", "--", base, edited).code());
        assertEquals(0, run("--", base, same).code());
    }
}
