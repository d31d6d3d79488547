package org.deqbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-task ranking and the RERG verdict, on synthetic summaries. */
class TaskRankingTest {
    private static final List<String> TASKS = List.of("denoise", "sr", "inpaint");
    private static final Map<String, List<String>> JOINT = Map.of("rerg", TASKS, "deq-gd", TASKS, "pnp", TASKS);

    private static SummaryRow row(String task, String method, String kind, Double psnr) {
        return new SummaryRow(task, method, kind, 4, psnr, null, null, null, null, null, null, null, null, null, null,
                null, List.of(), null, null, null);
    }

    /** Rows of every task in order; psnr[method] = {denoise, sr, inpaint}. */
    private static List<SummaryRow> rows(Map<String, Double[]> psnr, Map<String, String> kinds) {
        List<SummaryRow> rows = new ArrayList<>();
        for (int t = 0; t < TASKS.size(); t++) {
            for (var e : psnr.entrySet()) {
                rows.add(row(TASKS.get(t), e.getKey(), kinds.get(e.getKey()), e.getValue()[t]));
            }
        }
        return rows;
    }

    private static final Map<String, String> KINDS = Map.of("tv", "tv", "modl", "modl", "rerg", "rerg",
            "deq-gd", "deq-gd", "pnp", "pnp");

    @Test
    void ranksWorstRanksAndBeatingTvFollowThePsnrs() {
        Map<String, Double[]> psnr = new LinkedHashMap<>();
        psnr.put("tv", new Double[] {23.0, 20.0, 18.0});
        psnr.put("modl", new Double[] {24.0, 21.0, 17.0});
        psnr.put("rerg", new Double[] {23.5, 20.5, 18.5});
        psnr.put("deq-gd", new Double[] {25.0, 19.0, 19.0});
        psnr.put("pnp", new Double[] {23.5, null, 10.0});
        TaskRanking k = TaskRanking.of(rows(psnr, KINDS), JOINT);
        assertEquals(TASKS, k.tasks());
        assertEquals("tv", k.baseline());
        // denoise: deq-gd 25 (1), modl 24 (2), rerg = pnp 23.5 (3, 3), tv 23 (5)
        List<TaskRanking.Entry> denoise = k.perTask().get(0).entries();
        assertEquals(List.of("deq-gd", "modl", "rerg", "pnp", "tv"), denoise.stream().map(TaskRanking.Entry::method).toList());
        assertEquals(List.of(1, 2, 3, 3, 5), denoise.stream().map(TaskRanking.Entry::rank).toList());
        // sr: pnp has no PSNR: no rank, listed last
        TaskRanking.Entry last = k.perTask().get(1).entries().get(4);
        assertEquals("pnp", last.method());
        assertNull(last.rank());
        Map<String, TaskRanking.MethodRanks> m = new LinkedHashMap<>();
        k.methods().forEach(r -> m.put(r.method(), r));
        assertEquals(List.of("tv", "modl", "rerg", "deq-gd", "pnp"), new ArrayList<>(m.keySet()), "spec order");
        // rerg: 3, 2, 2 → worst 3 on denoise; beats tv everywhere
        assertEquals(3, m.get("rerg").worstRank());
        assertEquals("denoise", m.get("rerg").worstTask());
        assertEquals(TASKS, m.get("rerg").tasksBeatingTv());
        assertTrue(m.get("rerg").beatsTv());
        // deq-gd: 1, 4 (of the 4 methods with a PSNR on sr), 1 → worst 4 on sr; beats tv on denoise
        // and inpaint: 2 tasks, enough
        assertEquals(4, m.get("deq-gd").worstRank());
        assertEquals("sr", m.get("deq-gd").worstTask());
        assertEquals(List.of("denoise", "inpaint"), m.get("deq-gd").tasksBeatingTv());
        assertTrue(m.get("deq-gd").beatsTv());
        // modl beats tv on two tasks, pnp on one only (denoise; no PSNR on sr, lower on inpaint)
        assertTrue(m.get("modl").beatsTv());
        assertEquals(List.of("denoise"), m.get("pnp").tasksBeatingTv());
        assertFalse(m.get("pnp").beatsTv());
        assertEquals(5, m.get("pnp").worstRank());
        assertEquals("inpaint", m.get("pnp").worstTask());
        assertNull(m.get("tv").beatsTv(), "the baseline is not compared with itself");
        assertNull(m.get("modl").trainedOn());
        assertEquals(TASKS, m.get("rerg").trainedOn());
        // verdict: rerg's worst rank 3 against deq-gd's 4 and pnp's 5 (modl is trained per task)
        TaskRanking.Consistency c = k.consistency();
        assertEquals("rerg", c.method());
        assertEquals(Map.of("deq-gd", 4, "pnp", 5), c.others());
        assertTrue(c.holds());
        assertTrue(c.beatsTvEverywhere());
        assertTrue(c.sentence().contains("worst rank 3 of 5 (on denoise)") && c.sentence().contains("deq-gd 4 (on sr)")
                && c.sentence().contains("holds on this run"), c.sentence());
    }

    @Test
    void theClaimFailsWhenAnotherJointMethodIsMoreConsistentOrRergLosesToTv() {
        Map<String, Double[]> psnr = new LinkedHashMap<>();
        psnr.put("tv", new Double[] {23.0, 20.0, 18.0});
        psnr.put("rerg", new Double[] {22.0, 21.0, 19.0});
        psnr.put("deq-gd", new Double[] {24.0, 22.0, 20.0});
        TaskRanking.Consistency c = TaskRanking.of(rows(psnr, KINDS), JOINT).consistency();
        assertEquals(3, c.worstRank());
        assertFalse(c.holds());
        assertFalse(c.beatsTvEverywhere());
        assertTrue(c.sentence().contains("does not hold") && c.sentence().contains("deq-gd has a better worst rank")
                && c.sentence().contains("beats TV on 2 of 3 tasks"), c.sentence());

        // equal worst ranks but a loss to TV on one task: still not consistent
        psnr.put("deq-gd", new Double[] {21.0, 22.0, 20.0});
        c = TaskRanking.of(rows(psnr, KINDS), JOINT).consistency();
        assertEquals(2, c.worstRank());
        assertEquals(Map.of("deq-gd", 3), c.others());
        assertFalse(c.holds());
        assertTrue(c.sentence().contains("it does not beat TV on every task"), c.sentence());
    }

    @Test
    void noVerdictWithoutRergOrWithoutAnotherJointMethod() {
        Map<String, Double[]> psnr = new LinkedHashMap<>();
        psnr.put("tv", new Double[] {23.0, 20.0, 18.0});
        psnr.put("rerg", new Double[] {24.0, 21.0, 19.0});
        assertNull(TaskRanking.of(rows(psnr, KINDS), JOINT).consistency());
        psnr.remove("rerg");
        psnr.put("deq-gd", new Double[] {24.0, 21.0, 19.0});
        assertNull(TaskRanking.of(rows(psnr, KINDS), JOINT).consistency());
    }
}
