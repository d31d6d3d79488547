package org.deqbench.reference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The constants of the official MOL code's inference (Pramanik, Zimmerman, Jacob, IEEE TCI 2023;
 * {@code tst_mol.py}, {@code Sense.py}, {@code solvers.DEQ_inf}) that a released model needs
 * besides its weights:
 * <pre>
 *   x₀ = (λ₀ A^H A + γ I)^{-1} λ₀ A^H b          ({@code cgIter_init} CG steps from 0)
 *   x ← (γ I + αλ A^H A)^{-1} ((1 − α) x + α H(x) + αλ A^H b)   ({@code cgIter_itr} warm CG steps)
 *   until ‖x⁺ − x‖/‖x‖ &lt; tolerance (after at least 4 steps) or maxIterations
 * </pre>
 * λ is the checkpoint's learned {@code f.lam}; α, λ₀ = {@code lam_init} and the CG steps come from
 * {@code training_parameters.yml} when it is given. γ = 1.001 (hard-coded in {@code Sense.inv}),
 * the tolerance 1e-4 and the cap 500 ({@code err_tol}, {@code nFETarget} of {@code tst_mol.py})
 * are not in the yml; the defaults here are those values.
 *
 * @param alpha            α
 * @param lambda           λ (learned)
 * @param cgIterations     warm-started CG steps per iteration ({@code cgIter_itr})
 * @param initLambda       λ₀ of the start ({@code lam_init})
 * @param initCgIterations CG steps of the start ({@code cgIter_init})
 * @param identityWeight   γ
 * @param tolerance        relative-change tolerance of the forward iteration
 * @param maxIterations    forward iteration cap
 */
public record OfficialMolSettings(double alpha, double lambda, int cgIterations, double initLambda,
                                  int initCgIterations, double identityWeight, double tolerance, int maxIterations) {
    /** γ of the official {@code Sense.inv}. */
    public static final double OFFICIAL_IDENTITY_WEIGHT = 1.001;
    /** {@code err_tol} of {@code tst_mol.py} and {@code trn_mol.py}. */
    public static final double OFFICIAL_TOLERANCE = 1e-4;
    /** {@code nFETarget} of {@code tst_mol.py}. */
    public static final int OFFICIAL_MAX_ITERATIONS = 500;

    /** The official scripts' values with the given learned λ (used when no yml is given). */
    public static OfficialMolSettings defaults(double lambda) {
        return new OfficialMolSettings(0.01, lambda, 5, 100, 50, OFFICIAL_IDENTITY_WEIGHT, OFFICIAL_TOLERANCE,
                OFFICIAL_MAX_ITERATIONS);
    }

    /** μ of the start written as CG-SENSE (A^H A + μ I)^{-1} A^H b: μ = γ/λ₀ (CG is scale invariant). */
    public double startMu() {
        return identityWeight / initLambda;
    }

    /**
     * The yml's values over {@link #defaults}. The file is {@code yaml.dump} of an OrderedDict: a
     * sequence of {@code [key, value]} pairs under a Python tag (a plain mapping is accepted too).
     */
    public static OfficialMolSettings withYaml(double lambda, Path yml) {
        Map<String, JsonNode> p = readPairs(yml);
        OfficialMolSettings d = defaults(lambda);
        return new OfficialMolSettings(number(p, "alpha", d.alpha(), yml), lambda,
                (int) number(p, "cgIter_itr", d.cgIterations(), yml), number(p, "lam_init", d.initLambda(), yml),
                (int) number(p, "cgIter_init", d.initCgIterations(), yml), d.identityWeight(), d.tolerance(),
                d.maxIterations());
    }

    /** The yml's pairs (for the architecture check: number_of_layers, number_of_feature_filters, …). */
    public static Map<String, JsonNode> readPairs(Path yml) {
        JsonNode root;
        try {
            root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(yml));
        } catch (IOException e) {
            throw new CheckpointFormatException(yml + ": cannot be read as YAML (" + firstLine(e.getMessage()) + ")");
        }
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (root != null && root.isObject()) {
            root.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue()));
            return out;
        }
        // yaml.dump(OrderedDict) writes [[[k, v], [k, v], ...]]
        JsonNode pairs = root != null && root.isArray() && root.size() == 1 && root.get(0).isArray() ? root.get(0) : root;
        if (pairs == null || !pairs.isArray()) {
            throw new CheckpointFormatException(yml + ": expected the training parameters as a mapping or a list of "
                    + "[key, value] pairs");
        }
        for (JsonNode pair : pairs) {
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).isTextual()) {
                throw new CheckpointFormatException(yml + ": expected [key, value] pairs, found " + pair);
            }
            out.put(pair.get(0).asText(), pair.get(1));
        }
        return out;
    }

    private static double number(Map<String, JsonNode> p, String key, double fallback, Path yml) {
        JsonNode v = p.get(key);
        if (v == null) {
            return fallback;
        }
        if (!v.isNumber()) {
            throw new CheckpointFormatException(yml + ": " + key + ": expected a number, found " + v);
        }
        return v.asDouble();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    /** As JSON for the model description. */
    public Map<String, Object> json() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("alpha", alpha);
        m.put("lambda", lambda);
        m.put("cg_iterations", cgIterations);
        m.put("init_lambda", initLambda);
        m.put("init_cg_iterations", initCgIterations);
        m.put("identity_weight", identityWeight);
        m.put("tolerance", tolerance);
        m.put("max_iterations", maxIterations);
        return m;
    }
}
