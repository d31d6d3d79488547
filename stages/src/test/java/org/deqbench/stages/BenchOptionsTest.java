package org.deqbench.stages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.deqbench.stage.StepProfile;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The bench subcommands' shared options (one mixin each): every command keeps its own defaults,
 * parses the same syntax, and shows the default in its help.
 */
class BenchOptionsTest {
    private static <T> T parse(T command, String... args) {
        new CommandLine(command).parseArgs(args);
        return command;
    }

    @Test
    void eachCommandKeepsItsDefaults() {
        BenchCommand.Kernels k = parse(new BenchCommand.Kernels());
        assertEquals(Path.of("bench-kernels.json"), k.out.file);
        assertEquals(5, k.rounds.count);
        BenchNormBoundCommand nb = parse(new BenchNormBoundCommand());
        assertEquals(Path.of("bench-norm-bound.json"), nb.out.file);
        assertEquals(3, nb.rounds.count);
        BenchProfileStepCommand p = parse(new BenchProfileStepCommand());
        assertEquals(Path.of("experiments/quickstart.yaml"), p.spec.file);
        assertEquals(Path.of("runs/profile-step"), p.runDir.dir);
        assertEquals(4, p.steps.count);
        assertEquals(Path.of("runs/profile-step").resolve(StepProfile.FILE), p.out.resolve(p.runDir.dir));
        BenchReferenceCommand r = parse(new BenchReferenceCommand(), "--mol-code", "mol");
        assertEquals(Path.of("experiments/reference-bench.yaml"), r.spec.file);
        assertEquals(Path.of("runs/reference-bench"), r.runDir.dir);
        assertEquals(List.of(1, 2, 5, 10), r.iterations.orDefault());
        assertEquals(3, r.steps.count);
        assertEquals(3, r.rounds.count);
        BenchMemoryCommand m = parse(new BenchMemoryCommand(), "--spec", "../experiments/memory-scaling.yaml");
        assertEquals(Path.of("runs", "memory-scaling"), m.runDir.resolve(m.spec.file), "runs/<experiment name>");
        assertEquals(List.of(1, 2, 5, 10), m.iterations.orDefault());
        assertEquals(3, m.steps.count);
    }

    @Test
    void givenValuesOverrideTheDefaults() {
        BenchMemoryCommand m = parse(new BenchMemoryCommand(), "--spec", "s.yaml", "--run-dir", "d", "--iterations",
                "1,10", "--steps", "5");
        assertEquals(Path.of("d"), m.runDir.resolve(m.spec.file));
        assertEquals(List.of(1, 10), m.iterations.orDefault());
        assertEquals(5, m.steps.count);
        BenchProfileStepCommand p = parse(new BenchProfileStepCommand(), "--run-dir", "d");
        assertEquals(Path.of("d").resolve(StepProfile.FILE), p.out.resolve(p.runDir.dir), "the report follows --run-dir");
        p = parse(new BenchProfileStepCommand(), "--run-dir", "d", "--out", "r.json");
        assertEquals(Path.of("r.json"), p.out.resolve(p.runDir.dir));
        BenchCommand.Kernels k = parse(new BenchCommand.Kernels(), "--rounds", "2", "--out", "k.json");
        assertEquals(2, k.rounds.count);
        assertEquals(Path.of("k.json"), k.out.file);
    }

    @Test
    void helpShowsEachCommandsOwnDefault() {
        CommandLine bench = new CommandLine(new BenchCommand());
        String kernels = bench.getSubcommands().get("kernels").getUsageMessage(CommandLine.Help.Ansi.OFF);
        String normBound = bench.getSubcommands().get("norm-bound").getUsageMessage(CommandLine.Help.Ansi.OFF);
        String memory = bench.getSubcommands().get("memory").getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertTrue(kernels.contains("Timed rounds (default: 5)."), kernels);
        assertTrue(normBound.contains("Timed rounds (default: 3)."), normBound);
        assertTrue(memory.replaceAll("\\s+", " ").contains("(default: runs/<experiment name>)"), memory);
    }
}
