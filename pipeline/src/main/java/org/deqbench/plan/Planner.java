package org.deqbench.plan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.SpecLoader;
import org.deqbench.spec.TaskSpec;

/**
 * Computes the stage graph from a spec:
 * <pre>
 * simulate(task) ─▶ train(task, method) ─▶ certify(task, method) ─┐
 *      │                             └──▶ attack(task, method)  ──┴▶ report
 *      └──────────────────────────────────────────────────────────────▶ report (ground truth)
 * </pre>
 * Each node's hash chains its own spec section with its inputs' hashes, so changing one method's
 * parameter changes the hashes of that method's train/certify/attack nodes and of the report only.
 */
public final class Planner {
    /** Bumped when the run-store layout or a stage's output format changes incompatibly. */
    public static final String STORE_FORMAT = "deqbench-store-1";

    private Planner() {
    }

    public static Plan plan(ExperimentSpec spec, String specPath, String runDir) {
        List<PlanNode> nodes = new ArrayList<>();
        List<String> reportInputs = new ArrayList<>();
        StringBuilder reportKey = new StringBuilder();
        for (TaskSpec task : spec.tasks()) {
            String simId = "simulate/" + task.name();
            String simHash = hash("simulate", String.valueOf(spec.seed()), SpecLoader.canonicalJson(task));
            nodes.add(new PlanNode(simId, "simulate", task.name(), null, List.of(), simHash,
                    args("simulate", specPath, runDir, task.name(), null)));
            // The report shows ground truth beside the reconstructions; simulate's hash is already
            // chained into every train hash, so the report's hash need not list it again.
            reportInputs.add(simId);
            for (MethodSpec method : spec.methods()) {
                // a network to train and run: the node wants a GPU when a deployment has one
                boolean learned = method.kind().learned();
                String trainId = "train/" + task.name() + "/" + method.name();
                String trainHash = hash("train", simHash, SpecLoader.canonicalJson(method));
                nodes.add(new PlanNode(trainId, "train", task.name(), method.name(), List.of(simId),
                        trainHash, args("train", specPath, runDir, task.name(), method.name()), learned));
                String certId = "certify/" + task.name() + "/" + method.name();
                String certHash = hash("certify", trainHash, SpecLoader.canonicalJson(spec.certify()));
                nodes.add(new PlanNode(certId, "certify", task.name(), method.name(), List.of(simId, trainId),
                        certHash, args("certify", specPath, runDir, task.name(), method.name()), learned));
                String attackId = "attack/" + task.name() + "/" + method.name();
                String attackHash = hash("attack", trainHash, certHash, SpecLoader.canonicalJson(spec.attack()));
                nodes.add(new PlanNode(attackId, "attack", task.name(), method.name(),
                        List.of(simId, trainId, certId), attackHash,
                        args("attack", specPath, runDir, task.name(), method.name()), learned));
                reportInputs.addAll(List.of(trainId, certId, attackId));
                reportKey.append(trainHash).append(certHash).append(attackHash);
            }
        }
        String reportHash = hash("report", spec.name(), spec.description(), reportKey.toString(),
                SpecLoader.canonicalJson(spec.report()));
        nodes.add(new PlanNode("report", "report", null, null, reportInputs, reportHash,
                args("report", specPath, runDir, null, null)));
        return new Plan(spec.name(), specPath, runDir, hash("spec", SpecLoader.canonicalJson(spec)), nodes,
                spec.deploymentSettings());
    }

    private static List<String> args(String stage, String specPath, String runDir, String task, String method) {
        List<String> a = new ArrayList<>(List.of(stage, "--spec", specPath, "--run-dir", runDir));
        if (task != null) {
            a.addAll(List.of("--task", task));
        }
        if (method != null) {
            a.addAll(List.of("--method", method));
        }
        return a;
    }

    /** Hex SHA-256 of the parts, each length-prefixed so that no two part lists collide. */
    public static String hash(String... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(STORE_FORMAT.getBytes(StandardCharsets.UTF_8));
            for (String p : parts) {
                byte[] b = p.getBytes(StandardCharsets.UTF_8);
                md.update((b.length + ":").getBytes(StandardCharsets.UTF_8));
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
