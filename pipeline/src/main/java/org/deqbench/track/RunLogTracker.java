package org.deqbench.track;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.plan.RunStore;

/**
 * The local run log: one append-only JSON-lines file per node under {@code <runDir>/runlog/},
 * every record flushed and fsynced before the call returns. Records:
 * {@code {"ts", "type": params|metric|tag|artifact|start|finish, …}}.
 */
public final class RunLogTracker implements Tracker {
    private final FileOutputStream out;
    private final Path file;
    private boolean finished;

    public RunLogTracker(Path file, Map<String, String> start) {
        this.file = file;
        try {
            Files.createDirectories(file.getParent());
            this.out = new FileOutputStream(file.toFile(), true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open run log " + file, e);
        }
        Map<String, Object> r = record("start");
        r.putAll(start);
        append(r);
    }

    public Path file() {
        return file;
    }

    private static Map<String, Object> record(String type) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("ts", System.currentTimeMillis());
        r.put("type", type);
        return r;
    }

    private synchronized void append(Map<String, Object> record) {
        try {
            byte[] line = (RunStore.JSON.writer().without(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
                    .writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8);
            out.write(line);
            out.flush();
            out.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to run log " + file, e);
        }
    }

    @Override
    public void logParams(Map<String, String> params) {
        Map<String, Object> r = record("params");
        r.put("params", new LinkedHashMap<>(params));
        append(r);
    }

    @Override
    public void logMetric(String key, double value, long step) {
        Map<String, Object> r = record("metric");
        r.put("key", key);
        r.put("value", Double.isFinite(value) ? value : String.valueOf(value));
        r.put("step", step);
        append(r);
    }

    @Override
    public void setTag(String key, String value) {
        Map<String, Object> r = record("tag");
        r.put("key", key);
        r.put("value", value);
        append(r);
    }

    @Override
    public void logArtifact(Path fileOrFolder, String artifactPath) {
        Map<String, Object> r = record("artifact");
        r.put("path", fileOrFolder.toString());
        r.put("artifact_path", artifactPath);
        append(r);
    }

    @Override
    public synchronized void finish(Status status, String error) {
        if (finished) {
            return;
        }
        finished = true;
        Map<String, Object> r = record("finish");
        r.put("status", status.name());
        if (error != null) {
            r.put("error", error);
        }
        append(r);
        try {
            out.close();
        } catch (IOException ignored) {
            // already synced
        }
    }
}
