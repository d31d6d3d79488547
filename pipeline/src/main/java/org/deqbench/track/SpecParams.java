package org.deqbench.track;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.spec.ExperimentSpec;
import org.deqbench.spec.MethodCatalog;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.SpecLoader;

/**
 * Spec sections as flat MLflow params: nested keys joined with '.', in the spec's own snake_case
 * names, e.g. {@code method.deq.alpha = 0.01}. Lists of plain values become one JSON value
 * ({@code task.size = [64,64]}); lists of mappings are indexed ({@code x.0.name}); nulls are left
 * out. Values are the canonical JSON of the spec (the same text the node hash is computed from).
 */
public final class SpecParams {
    private SpecParams() {
    }

    /** Flattens any spec record (or map) under {@code prefix} ("" for none). */
    public static Map<String, String> flatten(String prefix, Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        JsonNode tree = SpecLoader.canonicalMapper().valueToTree(value);
        walk(prefix == null ? "" : prefix, tree, out);
        return out;
    }

    /**
     * The params of a node: the experiment's name and seed, its task's section, its method's section
     * (only the keys its kind reads) and, for certify, attack and report, that stage's section (report also the regression gate).
     */
    public static Map<String, String> forNode(ExperimentSpec spec, TrackedNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("experiment.name", spec.name());
        out.put("experiment.seed", String.valueOf(spec.seed()));
        if (node.task() != null) {
            out.putAll(flatten("task", spec.task(node.task())));
        }
        if (node.method() != null) {
            MethodSpec method = spec.method(node.method());
            out.putAll(methodParams(method));
            if (method.jointlyTrained()) {
                // one model trained on these tasks: the shared train node and every node reading it
                out.put("method.train_on", String.join(",", method.trainOn()));
            }
        }
        switch (node.stage()) {
            case "certify" -> out.putAll(flatten("certify", spec.certify()));
            case "attack" -> out.putAll(flatten("attack", spec.attack()));
            case "report" -> {
                out.putAll(flatten("report", spec.report()));
                out.putAll(flatten("regression", spec.regression()));
            }
            default -> {
                // simulate and train: task and method say it all
            }
        }
        return out;
    }

    /**
     * A method's section as params, only the keys its kind reads ({@link MethodCatalog#specKeys}):
     * the spec fills defaults such as {@code iterations} for every kind, which would otherwise
     * show up as parameters of methods that never use them.
     */
    public static Map<String, String> methodParams(MethodSpec method) {
        java.util.Set<String> used = MethodCatalog.installed().specKeys(method.kind());
        Map<String, String> out = new LinkedHashMap<>();
        flatten("method", method).forEach((k, v) -> {
            String rest = k.substring("method.".length());
            int dot = rest.indexOf('.');
            if (used.contains(dot < 0 ? rest : rest.substring(0, dot))) {
                out.put(k, v);
            }
        });
        return out;
    }

    private static void walk(String key, JsonNode n, Map<String, String> out) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return;
        }
        if (n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                walk(key.isEmpty() ? e.getKey() : key + "." + e.getKey(), e.getValue(), out);
            }
        } else if (n.isArray()) {
            boolean plain = true;
            for (JsonNode c : n) {
                plain &= c.isValueNode();
            }
            if (plain) {
                out.put(key, n.toString());
            } else {
                for (int i = 0; i < n.size(); i++) {
                    walk(key + "." + i, n.get(i), out);
                }
            }
        } else {
            out.put(key, n.isTextual() ? n.textValue() : n.toString());
        }
    }
}
