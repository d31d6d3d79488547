package org.deqbench.train;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code train/<task>/<method>/method.json}: what a train node reports about the method it fitted.
 * The keys every method writes are typed; what only some methods report (learned λ, step α,
 * solver iterations on the test split, the λ grid a baseline searched, Lipschitz estimates, …)
 * is in {@link #details}, in the order written, flattened into the same JSON object. Written by
 * {@link Method#train}, read by the method's {@link Method#load}, the certify stage and the report.
 *
 * @param kind           method kind ({@code modl}, {@code mol-lr}, {@code cg-sense}, …)
 * @param trainSeconds   wall-clock time of training (or of choosing the parameters), seconds
 * @param trainPeakBytes peak resident memory of the process while training, bytes
 * @param details        the method's other keys
 */
@JsonPropertyOrder({"kind", "train_seconds", "train_peak_bytes"})
public record MethodDescription(
        @JsonProperty("kind") String kind,
        @JsonProperty("train_seconds") Double trainSeconds,
        @JsonProperty("train_peak_bytes") Long trainPeakBytes,
        @JsonIgnore Map<String, Object> details) {
    static final String KIND = "kind";
    static final String TRAIN_SECONDS = "train_seconds";
    static final String TRAIN_PEAK_BYTES = "train_peak_bytes";

    public MethodDescription {
        details = details == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
        for (String typed : new String[] {KIND, TRAIN_SECONDS, TRAIN_PEAK_BYTES}) {
            if (details.containsKey(typed)) {
                throw new IllegalArgumentException("'" + typed + "' is a typed field of method.json, not a detail");
            }
        }
    }

    /** The method's other keys, flattened into the JSON object. */
    @JsonAnyGetter
    public Map<String, Object> detailsForJson() {
        return details;
    }

    /** Reads any {@code method.json}, old or new: the typed keys, and every other key as a detail. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static MethodDescription fromJson(Map<String, Object> all) {
        Map<String, Object> rest = new LinkedHashMap<>(all);
        Object kind = rest.remove(KIND);
        Object seconds = rest.remove(TRAIN_SECONDS);
        Object peak = rest.remove(TRAIN_PEAK_BYTES);
        return new MethodDescription(kind == null ? null : kind.toString(),
                seconds instanceof Number n ? n.doubleValue() : null,
                peak instanceof Number n ? n.longValue() : null, rest);
    }

    /** A numeric detail, or null when absent, null or not a number. */
    public Double number(String key) {
        return details.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    /** Forward solver (or unrolled) iterations on the test split, for methods that report them. */
    @JsonIgnore
    public Double forwardIterations() {
        return number("forward_iterations");
    }
}
