package org.deqbench.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Spec checks of the inverse problems: each bad setting is reported under its key. */
class InverseProblemSpecTest {
    private static List<String> problems(String task) {
        String yaml = """
                name: t
                tasks:
                  - name: a
                %s
                methods:
                  - {name: zf, kind: zero-filled}
                """.formatted(task.indent(4).stripTrailing());
        return SpecValidator.validate(SpecLoader.parse(Path.of("t.yaml"), yaml), null);
    }

    private static void assertProblem(String task, String key, String expected) {
        List<String> p = problems(task);
        assertTrue(p.stream().anyMatch(s -> s.startsWith(key) && s.contains(expected)), "expected '" + key + "' ... '"
                + expected + "' among " + p);
    }

    @Test
    void accelerationBelowOneAndMasksThatSampleNothing() {
        assertProblem("problem: mri\nmri: {acceleration: 0.5}", "tasks[0].mri.acceleration", "≥ 1");
        assertProblem("problem: mri\nsize: [16, 16]\nmri: {acceleration: 20}", "tasks[0].mri.acceleration", "must sample something");
        assertProblem("problem: mri\nsize: [16, 16]\nmri: {mask: variable-density, sampling_ratio: 0.001}",
                "tasks[0].mri.sampling_ratio", "at least one of 256");
        assertProblem("problem: mri-3d\nsize: [16, 16]\nframes: 2\nmri: {acceleration: 70}", "tasks[0].mri.acceleration",
                "32 phase-encode points");
    }

    @Test
    void kernelLargerThanTheImageAndFactorNotDividingTheSize() {
        assertProblem("problem: deblur\nsize: [16, 16]\nblur: {kernel_size: 17}", "tasks[0].blur.kernel_size", "at most the image size 16");
        assertProblem("problem: super-resolution\nsize: [16, 18]\nfactor: 4", "tasks[0].factor", "dividing the size");
    }

    @Test
    void volumesNeedSlicesAndFileSourcesNeedTwoDimensionalProblems() {
        assertProblem("problem: mri-3d", "tasks[0].frames", "at least 2 slices");
        assertProblem("problem: dynamic-mri\nframes: 4\nsource: {type: hdf5, path: x.h5}", "tasks[0].source.type", "only for problems mri");
        assertProblem("problem: mri-3d\nframes: 4\nsource: {type: images, path: imgs}", "tasks[0].source.type", "only for 2D problems");
        assertProblem("problem: inpaint\nsize: [8, 8]\nmissing_ratio: 0.995", "tasks[0].missing_ratio", "at least one");
    }

    @Test
    void singleCoilDefaultsToOneCoilAndMultiCoilToEight() {
        assertEquals(List.of(), problems("problem: single-coil-mri\nmri: {acceleration: 4}"));
        assertEquals(1, SpecLoader.parse(Path.of("t.yaml"), "name: t\ntasks:\n  - {name: a, problem: single-coil-mri}\n")
                .task("a").mri().coils());
        assertEquals(8, SpecLoader.parse(Path.of("t.yaml"), "name: t\ntasks:\n  - {name: a, problem: mri, mri: {acceleration: 2}}\n")
                .task("a").mri().coils());
        assertProblem("problem: single-coil-mri\nmri: {coils: 4}", "tasks[0].mri.coils", "1 for single-coil-mri");
    }
}
