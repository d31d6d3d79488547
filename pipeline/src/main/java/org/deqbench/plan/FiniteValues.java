package org.deqbench.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The finite-value guard at the one place where nodes write arrays and JSON ({@link NodeOutput}),
 * and where data enter the pipeline: a NaN or ±∞ in a reconstruction, a weight or a metric stops
 * the node with the file and the count instead of flowing silently downstream.
 */
public final class FiniteValues {
    private FiniteValues() {
    }

    /**
     * Throws when a floating-point array holds NaN or ±∞.
     *
     * @param what the file or source named in the message
     */
    public static void requireFinite(INDArray a, String what) {
        if (a == null || !a.dataType().isFPType() || a.isEmpty()) {
            return;
        }
        long nan = a.isNaN().castTo(DataType.INT64).sumNumber().longValue();
        long inf = a.isInfinite().castTo(DataType.INT64).sumNumber().longValue();
        if (nan + inf > 0) {
            throw new NonFiniteValueException(what + ": " + nan + " NaN and " + inf + " infinite values among "
                    + a.length() + "; refusing to use or write non-finite values");
        }
    }

    /** Throws when a JSON tree holds a NaN or ±∞ number; names the first JSON path. */
    public static void requireFinite(JsonNode tree, String what) {
        String bad = firstNonFinite(tree, "");
        if (bad != null) {
            throw new NonFiniteValueException(what + ": " + bad + "; write null for an undefined value");
        }
    }

    private static String firstNonFinite(JsonNode n, String path) {
        if (n == null) {
            return null;
        }
        if (n.isNumber() && (n.isDouble() || n.isFloat()) && !Double.isFinite(n.doubleValue())) {
            return (path.isEmpty() ? "value" : path) + " is " + n.doubleValue();
        }
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String b = firstNonFinite(n.get(i), path + "[" + i + "]");
                if (b != null) {
                    return b;
                }
            }
        } else if (n.isObject()) {
            for (var it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String b = firstNonFinite(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                if (b != null) {
                    return b;
                }
            }
        }
        return null;
    }

    /** A NaN or ±∞ where only finite values are allowed; the message names the file and the count. */
    public static final class NonFiniteValueException extends RuntimeException {
        public NonFiniteValueException(String message) {
            super(message);
        }
    }
}
