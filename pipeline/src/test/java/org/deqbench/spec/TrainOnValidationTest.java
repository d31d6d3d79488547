package org.deqbench.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code train_on}: what a spec may list, and the errors that say what is wrong where. */
class TrainOnValidationTest {
    private static final String SPEC = """
            name: tiny
            tasks:
              - {name: a, problem: denoise, size: [16, 16], train: 4, test: 2}
              - {name: b, problem: inpaint, size: [16, 16], train: 4, test: 2}
              - {name: big, problem: denoise, size: [32, 32], train: 4, test: 2}
              - {name: mri, problem: mri, size: [16, 16], train: 4, test: 2, mri: {coils: 2, acceleration: 2}}
            methods:
              - {name: tv, kind: tv}
              - {name: g, kind: deq-gd, TRAIN_ON}
            """;

    private static ExperimentSpec parse(String trainOn) {
        return SpecLoader.parse(Path.of("spec.yaml"), SPEC.replace("TRAIN_ON", trainOn));
    }

    /** The validator's problems with {@code yaml}, one per line; there must be some. */
    private static String failure(String yaml) {
        List<String> problems = SpecValidator.validate(SpecLoader.parse(Path.of("spec.yaml"), yaml), null);
        assertFalse(problems.isEmpty(), "accepted: " + yaml);
        return String.join("\n", problems);
    }

    @Test
    void twoTasksOfOneImageDomainAreAccepted() {
        ExperimentSpec s = parse("train_on: [a, b]");
        assertEquals(List.of(), SpecValidator.validate(s, null));
        assertEquals(List.of("a", "b"), s.method("g").trainOn());
        assertTrue(s.method("g").jointlyTrained() && s.method("g").runsOn("a") && !s.method("g").runsOn("big"));
        assertTrue(!s.method("tv").jointlyTrained() && s.method("tv").runsOn("big"));
        assertTrue(!SpecLoader.canonicalJson(s.method("tv")).contains("train_on"),
                "a per-task method's canonical JSON, hence its hashes, is unchanged");
    }

    @Test
    void anUnknownTaskNamesTheMethodTheKeyAndTheKnownTasks() {
        String m = failure(SPEC.replace("TRAIN_ON", "train_on: [a, denoise]"));
        assertTrue(m.contains("methods[1].train_on[1]") && m.contains("method 'g'") && m.contains("[a, b, big, mri]")
                && m.contains("found 'denoise'"), m);
    }

    @Test
    void fewerThanTwoTasksIsAnError() {
        String m = failure(SPEC.replace("TRAIN_ON", "train_on: [a]"));
        assertTrue(m.contains("methods[1].train_on") && m.contains("at least two task names") && m.contains("[a]"), m);
    }

    @Test
    void tasksWhoseImagesDifferCannotShareANetwork() {
        String m = failure(SPEC.replace("TRAIN_ON", "train_on: [a, big]"));
        assertTrue(m.contains("methods[1].train_on[1]") && m.contains("size [16, 16]") && m.contains("size [32, 32]"), m);
        m = failure(SPEC.replace("TRAIN_ON", "train_on: [a, mri]"));
        assertTrue(m.contains("(channels 1, frames 1, size [16, 16])") && m.contains("task 'mri' has channels 2")
                && m.contains("found 'mri'"), m);
    }

    @Test
    void aBaselineCannotBeTrainedJointly() {
        String m = failure(SPEC.replace("TRAIN_ON", "train_on: [a, b]")
                .replace("{name: tv, kind: tv}", "{name: tv, kind: tv, train_on: [a, b]}"));
        assertTrue(m.contains("methods[0].train_on") && m.contains("'tv' learns no model to share"), m);
    }

    @Test
    void aRepeatedTaskAndATaskNamedJointAreErrors() {
        assertTrue(failure(SPEC.replace("TRAIN_ON", "train_on: [a, a]")).contains("each task once"));
        String m = failure(SPEC.replace("TRAIN_ON", "train_on: [a, b]").replace("name: big", "name: joint"));
        assertTrue(m.contains("no task called 'joint'") && m.contains("train/joint/<method>"), m);
    }

    /** {@code training.lambda_per_task}: accepted with train_on on deq-gd, rerg, elder; refused elsewhere, saying why. */
    @Test
    void lambdaPerTaskNeedsTrainOnAndAKindWithALearnedWeight() {
        ExperimentSpec s = parse("train_on: [a, b], training: {lambda_per_task: true}");
        assertEquals(List.of(), SpecValidator.validate(s, null));
        assertTrue(s.method("g").training().separateLambdas());
        assertTrue(SpecLoader.canonicalJson(s.method("g")).contains("lambda_per_task"));
        assertFalse(SpecLoader.canonicalJson(parse("train_on: [a, b]").method("g")).contains("lambda_per_task"),
                "absent, the key stays out of the canonical JSON (the plan hashes of existing specs)");
        String alone = failure(SPEC.replace("TRAIN_ON", "training: {lambda_per_task: true}"));
        assertTrue(alone.contains("methods[1].training.lambda_per_task") && alone.contains("train_on beside it"), alone);
        String modl = failure(SPEC.replace("{name: g, kind: deq-gd, TRAIN_ON}",
                "{name: g, kind: modl, train_on: [a, b], training: {lambda_per_task: true}}"));
        assertTrue(modl.contains("methods[1].training.lambda_per_task") && modl.contains("[deq-gd, rerg, elder]")
                && modl.contains("is modl"), modl);
    }
}
