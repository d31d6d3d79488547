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
 *
 * <p><b>Joint training</b> ({@code train_on: [t1, t2, …]} on a method): one node
 * {@code train/joint/<method>} trains the shared model and depends on {@code simulate/t1},
 * {@code simulate/t2}, …; its hash chains every one of those simulate hashes, so new data for one
 * task retrains it. Then for every listed task a node {@code train/<task>/<method>} (stage train,
 * inputs {@code simulate/<task>} and the joint node) takes that task's reconstructions, metrics and
 * model from the joint node, and certify, attack and report read it as they read any train node.
 * The method runs on the listed tasks only. These nodes follow the per-task ones, so a spec
 * without {@code train_on} plans exactly the nodes, order and hashes it always did.
 */
public final class Planner {
    /** Bumped when the run-store layout or a stage's output format changes incompatibly. */
    public static final String STORE_FORMAT = "deqbench-store-1";

    private Planner() {
    }

    /** The folder of a jointly trained method's shared train node: {@code train/joint/<method>}. */
    public static final String JOINT = org.deqbench.spec.SpecValidator.JOINT_TASK_NAME;

    /** The id of the node that trains {@code method}'s shared model ({@code train_on}). */
    public static String jointTrainId(String method) {
        return "train/" + JOINT + "/" + method;
    }

    public static Plan plan(ExperimentSpec spec, String specPath, String runDir) {
        List<PlanNode> nodes = new ArrayList<>();
        List<String> reportInputs = new ArrayList<>();
        StringBuilder reportKey = new StringBuilder();
        java.util.Map<String, String> simHashes = new java.util.HashMap<>();
        for (TaskSpec task : spec.tasks()) {
            String simId = "simulate/" + task.name();
            String simHash = hash("simulate", String.valueOf(spec.seed()), SpecLoader.canonicalJson(task));
            simHashes.put(task.name(), simHash);
            nodes.add(new PlanNode(simId, "simulate", task.name(), null, List.of(), simHash,
                    args("simulate", specPath, runDir, task.name(), null)));
            // The report shows ground truth beside the reconstructions; simulate's hash is already
            // chained into every train hash, so the report's hash need not list it again.
            reportInputs.add(simId);
            for (MethodSpec method : spec.methods()) {
                if (method.jointlyTrained()) {
                    continue;
                }
                String trainId = "train/" + task.name() + "/" + method.name();
                String trainHash = hash("train", simHash, SpecLoader.canonicalJson(method));
                nodes.add(new PlanNode(trainId, "train", task.name(), method.name(), List.of(simId),
                        trainHash, args("train", specPath, runDir, task.name(), method.name()), method.kind().learned()));
                evaluationNodes(spec, specPath, runDir, task, method, trainId, trainHash, nodes, reportInputs, reportKey);
            }
        }
        for (MethodSpec method : spec.methods()) {
            if (!method.jointlyTrained()) {
                continue;
            }
            String jointId = jointTrainId(method.name());
            List<String> parts = new ArrayList<>(List.of("train-joint"));
            List<String> sims = new ArrayList<>();
            for (String t : method.trainOn()) {
                sims.add("simulate/" + t);
                parts.add(simHashes.get(t));
            }
            parts.add(SpecLoader.canonicalJson(method));
            String jointHash = hash(parts.toArray(String[]::new));
            nodes.add(new PlanNode(jointId, "train", null, method.name(), sims, jointHash,
                    args("train", specPath, runDir, JOINT, method.name()), method.kind().learned()));
            for (String t : method.trainOn()) {
                TaskSpec task = spec.task(t);
                String trainId = "train/" + t + "/" + method.name();
                // copies the task's share of the joint node: no GPU work
                String trainHash = hash("train-share", jointHash, t);
                nodes.add(new PlanNode(trainId, "train", t, method.name(), List.of("simulate/" + t, jointId),
                        trainHash, args("train", specPath, runDir, t, method.name()), false));
                evaluationNodes(spec, specPath, runDir, task, method, trainId, trainHash, nodes, reportInputs, reportKey);
            }
        }
        String reportHash = hash("report", spec.name(), spec.description(), reportKey.toString(),
                SpecLoader.canonicalJson(spec.report()));
        nodes.add(new PlanNode("report", "report", null, null, reportInputs, reportHash,
                args("report", specPath, runDir, null, null)));
        return new Plan(spec.name(), specPath, runDir, hash("spec", SpecLoader.canonicalJson(spec)), nodes,
                spec.deploymentSettings());
    }

    /** The certify and attack nodes of one (task, method) after its train node, and their report inputs. */
    private static void evaluationNodes(ExperimentSpec spec, String specPath, String runDir, TaskSpec task,
                                        MethodSpec method, String trainId, String trainHash, List<PlanNode> nodes,
                                        List<String> reportInputs, StringBuilder reportKey) {
        // a network to run: the node wants a GPU when a deployment has one
        boolean learned = method.kind().learned();
        String simId = "simulate/" + task.name();
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
