package org.deqbench.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** method.json keeps its keys: files written before the record existed read, and write back unchanged. */
class MethodDescriptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aBaselinesFileReadsIntoTypedFieldsAndWritesBackTheSameObject() throws Exception {
        String old = """
                {"kind": "cg-sense", "lambda": 0.01, "lambda_grid": [{"lambda": 0.01, "train_psnr": 31.5}],
                 "cg_iterations": 30, "cg_tolerance": 1e-9, "train_seconds": 2.5, "train_peak_bytes": 123456789}""";
        MethodDescription d = JSON.readValue(old, MethodDescription.class);
        assertEquals("cg-sense", d.kind());
        assertEquals(2.5, d.trainSeconds());
        assertEquals(123456789L, d.trainPeakBytes());
        assertEquals(0.01, d.number("lambda"));
        assertNull(d.forwardIterations(), "a baseline reports no solver iterations");
        assertEquals(List.of("lambda", "lambda_grid", "cg_iterations", "cg_tolerance"), List.copyOf(d.details().keySet()));
        assertEquals(JSON.readTree(old), reread(d), "same keys and values as the file");
    }

    @Test
    void aLearnedMethodsFileKeepsItsOrderAndNulls() throws Exception {
        MethodDescription d = new MethodDescription("mol-lr", 10.0, 5L,
                new java.util.LinkedHashMap<>(Map.of("forward_iterations", 42)));
        JsonNode tree = JSON.valueToTree(d);
        assertEquals(List.of("kind", "train_seconds", "train_peak_bytes", "forward_iterations"),
                List.copyOf(iterable(tree.fieldNames())));
        assertEquals(42.0, JSON.treeToValue(tree, MethodDescription.class).forwardIterations());
        String withNull = "{\"kind\": \"modl\", \"train_seconds\": null, \"divergence\": null}";
        MethodDescription n = JSON.readValue(withNull, MethodDescription.class);
        assertNull(n.trainSeconds());
        assertEquals(JSON.readTree("{\"kind\": \"modl\", \"train_seconds\": null, \"train_peak_bytes\": null,"
                + " \"divergence\": null}"), reread(n));
    }

    @Test
    void typedKeysAreNotDetails() {
        assertThrows(IllegalArgumentException.class,
                () -> new MethodDescription("tv", 1.0, 1L, Map.of("train_seconds", 2.0)));
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> out = new java.util.ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    /** The value as written to disk and parsed back (numbers compare as they would in the file). */
    private static com.fasterxml.jackson.databind.JsonNode reread(Object value) throws Exception {
        return JSON.readTree(JSON.writeValueAsString(value));
    }
}
