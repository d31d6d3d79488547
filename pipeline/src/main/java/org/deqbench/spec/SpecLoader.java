package org.deqbench.spec;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads experiment specs from YAML into {@link ExperimentSpec} and validates them. Keys are
 * snake_case; unknown keys, wrong types and out-of-range values are errors that name the key path.
 */
public final class SpecLoader {
    private static final ObjectMapper YAML = configure(YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // a key given twice is a mistake in a spec, not "the last one wins"
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build());

    /** Canonical JSON: sorted keys, snake_case; used for hashing spec sections. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();

    private SpecLoader() {
    }

    private static ObjectMapper configure(ObjectMapper m) {
        // Strings are not silently turned into numbers or booleans, and vice versa.
        for (LogicalType t : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            m.coercionConfigFor(t).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        return m;
    }

    /** Loads and validates {@code file}; throws {@link SpecException} naming every problem. */
    public static ExperimentSpec load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(file, List.of("file not found"));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new SpecException(file, List.of("not a text file: it holds bytes that are not UTF-8; expected an"
                    + " experiment spec in YAML"));
        } catch (IOException e) {
            throw new SpecException(file, List.of("cannot read: " + e.getMessage()));
        }
        ExperimentSpec spec = parse(file, text);
        List<String> problems = SpecValidator.validate(spec, file.toAbsolutePath().getParent());
        if (!problems.isEmpty()) {
            throw new SpecException(file, problems);
        }
        return spec;
    }

    /** Parses without validating (for tests and tools). */
    public static ExperimentSpec parse(Path file, String yaml) {
        if (yaml.isBlank()) {
            throw new SpecException(file, List.of("the file is empty; expected an experiment spec"));
        }
        if (yaml.indexOf('\u0000') >= 0) {
            throw new SpecException(file, List.of("not a text file: it holds NUL bytes; expected an experiment spec"
                    + " in YAML"));
        }
        try {
            String empty = emptyListItem(YAML.readTree(yaml), "");
            if (empty != null) {
                throw new SpecException(file, List.of(empty + ": empty list item (~ or null); give a value or"
                        + " remove the item"));
            }
            ExperimentSpec spec = YAML.readValue(yaml, ExperimentSpec.class);
            if (spec == null) {
                throw new SpecException(file, List.of("expected a mapping with keys name, tasks, methods"));
            }
            return spec;
        } catch (JsonMappingException e) {
            throw new SpecException(file, List.of(describe(e)));
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
            java.util.regex.Matcher dup = java.util.regex.Pattern.compile("^Duplicate field '([^']*)'").matcher(msg);
            if (dup.find()) {
                throw new SpecException(file, List.of("key '" + dup.group(1) + "' is given twice in one mapping"
                        + at(e.getLocation()) + "; keep one"));
            }
            throw new SpecException(file, List.of("not valid YAML" + at(e.getLocation()) + ": " + firstLine(msg)));
        }
    }

    /** The key path of the first null item of a list in the tree, or null. */
    private static String emptyListItem(com.fasterxml.jackson.databind.JsonNode n, String path) {
        if (n == null) {
            return null;
        }
        if (n.isArray()) {
            for (int i = 0; i < n.size(); i++) {
                String p = path + "[" + i + "]";
                if (n.get(i).isNull()) {
                    return p;
                }
                String inner = emptyListItem(n.get(i), p);
                if (inner != null) {
                    return inner;
                }
            }
        } else if (n.isObject()) {
            for (var it = n.fields(); it.hasNext(); ) {
                var e = it.next();
                String inner = emptyListItem(e.getValue(), path.isEmpty() ? e.getKey() : path + "." + e.getKey());
                if (inner != null) {
                    return inner;
                }
            }
        }
        return null;
    }

    private static String describe(JsonMappingException e) {
        String path = keyPath(e.getPath());
        String where = at(e.getLocation());
        if (e instanceof UnrecognizedPropertyException u) {
            List<String> known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
            return path + ": unknown key" + where + "; expected one of " + known;
        }
        if (e instanceof InvalidFormatException f) {
            return path + ": expected " + typeName(f.getTargetType()) + where + ", found '" + f.getValue() + "'";
        }
        if (e instanceof ValueInstantiationException v && v.getCause() != null) {
            return path + ": " + v.getCause().getMessage() + where;
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            return path + ": expected " + typeName(m.getTargetType()) + where
                    + " (" + firstLine(m.getOriginalMessage()) + ")";
        }
        Throwable cause = e.getCause();
        if (cause instanceof IllegalArgumentException) {
            return path + ": " + cause.getMessage() + where;
        }
        return path + ": " + firstLine(e.getOriginalMessage()) + where;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int i = s.indexOf('\n');
        return i < 0 ? s : s.substring(0, i);
    }

    private static String typeName(Class<?> type) {
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "an integer";
        }
        if (type == Double.class || type == double.class) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string";
        }
        if (List.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(Object::toString).toList();
        }
        if (type.isRecord() || java.util.Map.class.isAssignableFrom(type)) {
            return "a mapping";
        }
        return type.getSimpleName();
    }

    private static String at(JsonLocation loc) {
        return loc == null || loc.getLineNr() < 0 ? "" : " (line " + loc.getLineNr() + ")";
    }

    /** Jackson's reference path as {@code tasks[0].mri.acceleration} in the YAML's own key names. */
    static String keyPath(List<JsonMappingException.Reference> refs) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference r : refs) {
            if (r.getIndex() >= 0) {
                sb.append('[').append(r.getIndex()).append(']');
            } else if (r.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(r.getFieldName());
            }
        }
        return sb.length() == 0 ? "(top level)" : sb.toString();
    }

    /** Canonical JSON of any spec value: the input to run-store hashes. */
    public static String canonicalJson(Object value) {
        try {
            return CANONICAL.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise spec value " + value, e);
        }
    }

    /** The JSON mapper used for canonical spec JSON (snake_case keys). */
    public static ObjectMapper canonicalMapper() {
        return CANONICAL;
    }
}
