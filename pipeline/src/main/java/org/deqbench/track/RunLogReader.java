package org.deqbench.track;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads the run log of a run directory back: every node's attempts with their params, metrics,
 * tags, artifacts and final status, and the pipeline runs. It needs nothing but the files, so the
 * report stage can rebuild every table and curve from it without a tracking server.
 *
 * <p>A crash can leave the last line of a file cut short; such a line is skipped and named in
 * {@link RunLog#warnings()}, as is any other line that does not parse. Nothing is ever repaired in
 * place.
 */
public final class RunLogReader {
    private RunLogReader() {
    }

    /** The records of one file in file order, and what could not be read. */
    record FileRecords(Path file, List<RunRecord> records, List<String> warnings) {
        /** Records grouped by attempt (in order of first appearance), each group sorted by seq. */
        Map<String, List<RunRecord>> byAttempt() {
            Map<String, List<RunRecord>> m = new LinkedHashMap<>();
            for (RunRecord r : records) {
                m.computeIfAbsent(r.attempt(), a -> new ArrayList<>()).add(r);
            }
            m.values().forEach(l -> l.sort(Comparator.comparingLong(RunRecord::seq)));
            return m;
        }
    }

    /** Reads every run-log file of {@code runDir}; an absent run log reads as empty. */
    public static RunLog read(Path runDir) {
        List<NodeAttempt> attempts = new ArrayList<>();
        List<RunLog.PipelineAttempt> pipelines = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (Path file : files(runDir)) {
            FileRecords fr = readFile(file);
            warnings.addAll(fr.warnings());
            for (Map.Entry<String, List<RunRecord>> e : fr.byAttempt().entrySet()) {
                List<RunRecord> recs = e.getValue();
                RunRecord first = recs.get(0);
                if (first instanceof RunRecord.Start) {
                    attempts.add(new NodeAttempt(recs));
                } else if (first instanceof RunRecord.PipelineStart) {
                    pipelines.add(new RunLog.PipelineAttempt(recs));
                } else {
                    warnings.add(file + ": attempt " + e.getKey() + " has no start record (first record is seq "
                            + first.seq() + "); its " + recs.size() + " records are ignored");
                }
            }
        }
        attempts.sort(Comparator.comparingLong((NodeAttempt a) -> a.start().ts()).thenComparing(NodeAttempt::attempt));
        pipelines.sort(Comparator.comparingLong((RunLog.PipelineAttempt p) -> p.start().ts()));
        return new RunLog(attempts, pipelines, warnings);
    }

    /** The run-log files of a run directory (node logs and the pipeline log), sorted by name. */
    static List<Path> files(Path runDir) {
        Path dir = RunLogLayout.dir(runDir);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".jsonl") && Files.isRegularFile(p))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the run log " + dir, e);
        }
    }

    static FileRecords readFile(Path file) {
        AppendOnlyFile.Lines lines = AppendOnlyFile.read(file);
        List<RunRecord> records = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        int n = 0;
        for (String line : lines.complete()) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            try {
                records.add(RunLogJson.MAPPER.readValue(line, RunRecord.class));
            } catch (InvalidTypeIdException e) {
                warnings.add(file + ":" + n + ": unknown record type (written by a newer deqbench?), skipped");
            } catch (JsonProcessingException e) {
                // A line cut by a crash and terminated when the file was reopened.
                warnings.add(file + ":" + n + ": not a complete record (" + e.getOriginalMessage() + "), skipped");
            }
        }
        if (lines.truncatedTail()) {
            warnings.add(file + ":" + (n + 1) + ": last line is incomplete (the writer stopped mid-record), skipped");
        }
        return new FileRecords(file, records, warnings);
    }
}
