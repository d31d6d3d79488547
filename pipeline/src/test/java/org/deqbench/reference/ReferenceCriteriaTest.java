package org.deqbench.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The acceptance criteria judged from given rows of one run: met, not met, and missing parts as null. */
class ReferenceCriteriaTest {

    private static Map<String, Object> kernel(long[] shape, Double ratio, double share) {
        Map<String, Object> k = new LinkedHashMap<>();
        k.put("shape", shape);
        Map<String, Object> ours = new LinkedHashMap<>();
        ours.put("forward_vjp_share_of_gemm", share);
        k.put("deqbench", ours);
        if (ratio != null) {
            k.put("forward_vjp_ratio", ratio);
            k.put("official", Map.of("forward_vjp_share_of_gemm", 0.3));
        } else {
            k.put("official", null);
        }
        return k;
    }

    private static Map<String, Object> trainingRow(List<Integer> size, String kind, int k, Double time, Double memory) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("method", kind);
        r.put("kind", kind);
        r.put("iterations", k);
        r.put("size", size);
        if (time != null) {
            r.put("step_time_ratio", time);
        }
        if (memory != null) {
            r.put("memory_ratio", memory);
        }
        return r;
    }

    /** Every required (size, kind, K) with the given ratios. */
    private static List<Map<String, Object>> fullTraining(double time, double memory) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (List<Integer> size : List.of(List.of(64, 64, 8), List.of(256, 232, 12))) {
            for (String kind : List.of("modl", "mol-lr")) {
                for (int k : List.of(1, 2, 5, 10)) {
                    rows.add(trainingRow(size, kind, k, time, memory));
                }
            }
        }
        return rows;
    }

    private static Map<String, Object> checkpoint(int h, int w, int coils, double difference, double plainSeconds,
                                                  double officialSeconds, int anderson, boolean converged,
                                                  int officialEvaluations) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("slice", Map.of("height", h, "width", w, "coils", coils));
        c.put("official", Map.of("seconds", officialSeconds, "nfe", officialEvaluations - 2, "block_evaluations",
                officialEvaluations));
        c.put("deqbench_plain", Map.of("seconds", plainSeconds, "relative_difference_to_official", difference,
                "cnn_evaluations", officialEvaluations));
        c.put("deqbench_anderson", Map.of("seconds", 1.0, "cnn_evaluations", anderson, "converged", converged,
                "relative_difference_to_official", 5e-3));
        return c;
    }

    private static List<Map<String, Object>> bothKernels(double ratio, double share) {
        return List.of(kernel(new long[] {4, 2, 64, 64}, ratio, share), kernel(new long[] {1, 2, 256, 256}, ratio, share));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> criteria, String name) {
        return (Map<String, Object>) criteria.get(name);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rows(Map<String, Object> section) {
        return (List<Map<String, Object>>) section.get("rows");
    }

    @Test
    void everyPartWithinItsThresholdIsMet() {
        Map<String, Object> c = ReferenceCriteria.evaluate(bothKernels(0.8, 0.6),
                checkpoint(256, 232, 12, 5e-4, 10.0, 20.0, 30, true, 275), fullTraining(1.2, 1.5));
        assertEquals(Boolean.TRUE, section(c, "cnn_kernels").get("met"));
        assertEquals(Boolean.TRUE, section(c, "training").get("met"));
        assertEquals(16, rows(section(c, "training")).size());
        assertTrue(rows(section(c, "training")).stream().allMatch(r -> Boolean.TRUE.equals(r.get("met"))));
        Map<String, Object> ck = section(c, "released_checkpoint");
        assertEquals(Boolean.TRUE, ck.get("met"));
        assertEquals(0.5, (Double) ck.get("time_ratio"), 1e-12);
        assertEquals(30.0 / 275, (Double) ck.get("anderson_evaluation_share"), 1e-12);
        assertEquals(275L, ck.get("official_cnn_evaluations"));
        assertEquals(Boolean.TRUE, c.get("met"));
        // the measured values are carried into the rows
        Map<String, Object> k = rows(section(c, "cnn_kernels")).get(1);
        assertEquals(List.of(1L, 2L, 256L, 256L), k.get("shape"));
        assertEquals(0.8, (Double) k.get("forward_vjp_ratio"), 0.0);
        assertEquals(0.6, (Double) k.get("forward_vjp_share_of_gemm"), 0.0);
        assertEquals(0.3, (Double) k.get("official_forward_vjp_share_of_gemm"), 0.0);
    }

    @Test
    void onePartOverItsThresholdIsNotMet() {
        // a single training row whose memory is 1.6x the official's fails the whole of (b)
        List<Map<String, Object>> training = fullTraining(1.0, 1.0);
        training.set(13, trainingRow(List.of(256, 232, 12), "mol-lr", 2, 0.7, 1.6));
        Map<String, Object> c = ReferenceCriteria.evaluate(bothKernels(0.8, 0.6),
                checkpoint(256, 232, 12, 5e-4, 10.0, 20.0, 30, true, 275), training);
        Map<String, Object> b = section(c, "training");
        assertEquals(Boolean.FALSE, b.get("met"));
        assertEquals(1, rows(b).stream().filter(r -> Boolean.FALSE.equals(r.get("met"))).count());
        assertEquals(Boolean.FALSE, c.get("met"));
        assertEquals(Boolean.TRUE, section(c, "cnn_kernels").get("met"));

        // the kernel's time within 1.0x but its rate below half the gemm's
        Map<String, Object> a = section(ReferenceCriteria.evaluate(bothKernels(0.5, 0.49), null, List.of()),
                "cnn_kernels");
        assertEquals(Boolean.FALSE, a.get("met"));
        assertEquals(Boolean.TRUE, rows(a).get(0).get("time_met"));
        assertEquals(Boolean.FALSE, rows(a).get(0).get("share_met"));
        // and slower than torch
        assertEquals(Boolean.FALSE, section(ReferenceCriteria.evaluate(bothKernels(1.01, 0.9), null, List.of()),
                "cnn_kernels").get("met"));

        // the checkpoint: too far from the official output, slower, or Anderson over a third / not converged
        assertEquals(Boolean.FALSE, section(ReferenceCriteria.evaluate(List.of(),
                checkpoint(256, 232, 12, 2e-3, 10.0, 20.0, 30, true, 275), List.of()), "released_checkpoint").get("met"));
        assertEquals(Boolean.FALSE, section(ReferenceCriteria.evaluate(List.of(),
                checkpoint(256, 232, 12, 5e-4, 21.0, 20.0, 30, true, 275), List.of()), "released_checkpoint").get("met"));
        assertEquals(Boolean.FALSE, section(ReferenceCriteria.evaluate(List.of(),
                checkpoint(256, 232, 12, 5e-4, 10.0, 20.0, 92, true, 275), List.of()), "released_checkpoint").get("met"));
        assertEquals(Boolean.FALSE, section(ReferenceCriteria.evaluate(List.of(),
                checkpoint(256, 232, 12, 5e-4, 10.0, 20.0, 30, false, 275), List.of()), "released_checkpoint").get("met"));
    }

    @Test
    void partsThatDidNotRunGiveNull() {
        // only the 64x64 shape, only K = 1 at 64x64, the checkpoint on a 64x64 slice: all within the thresholds
        List<Map<String, Object>> training = List.of(trainingRow(List.of(64, 64, 8), "modl", 1, 1.0, 1.0),
                trainingRow(List.of(64, 64, 8), "mol-lr", 1, 1.0, 1.0));
        Map<String, Object> c = ReferenceCriteria.evaluate(List.of(kernel(new long[] {4, 2, 64, 64}, 0.8, 0.6)),
                checkpoint(64, 64, 8, 1e-4, 1.0, 2.0, 30, true, 275), training);
        Map<String, Object> a = section(c, "cnn_kernels");
        assertNull(a.get("met"));
        assertEquals(Boolean.TRUE, rows(a).get(0).get("met"));
        assertEquals(Boolean.FALSE, rows(a).get(1).get("run"));
        Map<String, Object> b = section(c, "training");
        assertNull(b.get("met"));
        // 2 rows that ran, 14 required ones that did not (K = 2, 5, 10 at 64x64; every K at 256x232x12)
        assertEquals(16, rows(b).size());
        assertEquals(14, rows(b).stream().filter(r -> Boolean.FALSE.equals(r.get("run"))).count());
        assertTrue(rows(b).stream().filter(r -> Boolean.FALSE.equals(r.get("run"))).allMatch(r -> r.get("met") == null));
        assertTrue(rows(b).stream().anyMatch(r -> Boolean.FALSE.equals(r.get("run"))
                && java.util.Arrays.asList(64, 64, null).equals(r.get("size")) && "modl".equals(r.get("kind"))
                && Integer.valueOf(2).equals(r.get("iterations"))), rows(b).toString());
        Map<String, Object> ck = section(c, "released_checkpoint");
        assertNull(ck.get("met"));
        assertEquals(Boolean.TRUE, ck.get("difference_met"));
        assertTrue(((String) ck.get("note")).contains("64x64x8"), (String) ck.get("note"));
        assertNull(c.get("met"));

        // torch absent: no ratios, so (a) and (b) are undecided even where deqbench's own figures are in
        Map<String, Object> noTorch = ReferenceCriteria.evaluate(List.of(kernel(new long[] {4, 2, 64, 64}, null, 0.6),
                kernel(new long[] {1, 2, 256, 256}, null, 0.6)), null, List.of(
                trainingRow(List.of(64, 64, 8), "modl", 1, null, null)));
        assertNull(section(noTorch, "cnn_kernels").get("met"));
        assertEquals(Boolean.TRUE, rows(section(noTorch, "cnn_kernels")).get(0).get("share_met"));
        assertNull(rows(section(noTorch, "training")).get(0).get("met"));
        assertNull(section(noTorch, "training").get("met"));
        assertNull(section(noTorch, "released_checkpoint").get("met"));
        assertNull(noTorch.get("met"));
    }

    @Test
    void aMissedThresholdIsNotMetEvenWhenOtherPartsAreMissing() {
        Map<String, Object> c = ReferenceCriteria.evaluate(List.of(kernel(new long[] {4, 2, 64, 64}, 1.3, 0.6)), null,
                List.of(trainingRow(List.of(64, 64, 8), "modl", 1, 1.6, 1.0)));
        assertEquals(Boolean.FALSE, section(c, "cnn_kernels").get("met"));
        assertEquals(Boolean.FALSE, section(c, "training").get("met"));
        assertEquals(Boolean.FALSE, c.get("met"));
        assertNull(ReferenceCriteria.and(true, null));
        assertEquals(Boolean.FALSE, ReferenceCriteria.and(null, false, true));
        assertEquals(Boolean.TRUE, ReferenceCriteria.and(true, true));
    }

    @Test
    void sizesMatchTheRequiredOnesAndExtraRowsStillCount() {
        // a 64x64 row with 4 coils counts as 64x64; a 128x128 row is judged as a row of the run but
        // does not stand in for 256x232x12
        List<Map<String, Object>> training = new ArrayList<>(fullTraining(1.0, 1.0));
        training.replaceAll(r -> {
            if (r.get("size").equals(List.of(64, 64, 8))) {
                Map<String, Object> copy = new HashMap<>(r);
                copy.put("size", List.of(64, 64, 4));
                return copy;
            }
            return r;
        });
        training.add(trainingRow(List.of(128, 128, 12), "modl", 1, 2.0, 1.0));
        Map<String, Object> b = section(ReferenceCriteria.evaluate(List.of(), null, training), "training");
        assertEquals(17, rows(b).size());
        assertTrue(rows(b).stream().allMatch(r -> Boolean.TRUE.equals(r.get("run"))));
        assertEquals(Boolean.FALSE, b.get("met"));
        training.remove(training.size() - 1);
        assertEquals(Boolean.TRUE, section(ReferenceCriteria.evaluate(List.of(), null, training), "training").get("met"));
        training.replaceAll(r -> {
            if (r.get("size").equals(List.of(256, 232, 12))) {
                Map<String, Object> copy = new HashMap<>(r);
                copy.put("size", List.of(256, 232, 8));
                return copy;
            }
            return r;
        });
        assertNull(section(ReferenceCriteria.evaluate(List.of(), null, training), "training").get("met"));
    }

    @Test
    void theTableNamesEveryPartAndItsOutcome() {
        List<Map<String, Object>> training = fullTraining(1.0, 1.0);
        training.set(0, trainingRow(List.of(64, 64, 8), "modl", 1, 1.5, 4.6));
        Map<String, Object> c = ReferenceCriteria.evaluate(List.of(kernel(new long[] {4, 2, 64, 64}, 0.68, 0.2)),
                checkpoint(64, 64, 8, 1.32e-4, 3.2, 12.4, 32, true, 275), training);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ReferenceCriteria.print(c, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String text = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = text.lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.contains("(a) CNN 4x2x64x64") && l.contains("0.68x")
                && l.contains("20 %") && l.endsWith("no")), text);
        assertTrue(lines.stream().anyMatch(l -> l.contains("(a) CNN 1x2x256x256") && l.endsWith("-")), text);
        assertTrue(lines.stream().anyMatch(l -> l.contains("(b) modl") && l.contains("K=1") && l.contains("64x64x8")
                && l.contains("4.60x") && l.endsWith("no")), text);
        assertEquals(15, lines.stream().filter(l -> l.contains("(b)") && l.endsWith("yes")).count(), text);
        assertTrue(lines.stream().anyMatch(l -> l.contains("(c) checkpoint 64x64x8") && l.contains("1.32e-04")
                && l.contains("32/275") && l.contains("this run used 64x64x8")), text);
        assertTrue(lines.get(lines.size() - 1).contains("all criteria: no"), text);
        Map<String, Object> few = ReferenceCriteria.evaluate(List.of(), null,
                List.of(trainingRow(List.of(64, 64, 8), "modl", 1, 1.0, 1.0)));
        bytes.reset();
        ReferenceCriteria.print(few, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("(b) not run: mol-lr 64x64 K=1,2,5,10; modl 64x64 "
                + "K=2,5,10; mol-lr 256x232x12 K=1,2,5,10; modl 256x232x12 K=1,2,5,10"), bytes.toString(StandardCharsets.UTF_8));
        assertFalse(text.contains("null"), text);
    }
}
