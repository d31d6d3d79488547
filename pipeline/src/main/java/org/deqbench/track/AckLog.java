package org.deqbench.track;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What MLflow acknowledged of one run-log file, kept beside it in {@code runlog/acks/} so the run
 * log itself is never rewritten. Each line is an event of one attempt:
 * <ul>
 *   <li>{@code run}: the attempt's MLflow run (and experiment, parent) exists with this id;</li>
 *   <li>{@code acked}: MLflow answered 200 to the requests carrying these records (or already had
 *       them), given as ranges of sequence numbers {@code [[from, to], …]};</li>
 *   <li>{@code rejected}: MLflow refused these records as invalid (400); they are not retried;</li>
 *   <li>{@code closed}: the run was given a terminal status although the log has no finish record
 *       (the process died without recording one).</li>
 * </ul>
 * Written with the same append-and-fsync discipline as the run log: an acknowledgement is recorded
 * only after the server's answer, so a crash in between can only cause a resend, which
 * {@link MlflowDelivery} reconciles against the server.
 */
final class AckLog {
    static final String RUN = "run";
    static final String ACKED = "acked";
    static final String REJECTED = "rejected";
    static final String CLOSED = "closed";

    /** One line of an ack log. */
    record Event(String attempt, long ts, String event, String runId, String experimentId, String parentRunId,
                 List<long[]> seqs, String reason) {
    }

    private final Path file;
    private AppendOnlyFile out;

    AckLog(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    synchronized void append(Event e) {
        if (out == null) {
            out = new AppendOnlyFile(file);
        }
        out.append(List.of(RunLogJson.line(e)));
    }

    void run(String attempt, String runId, String experimentId, String parentRunId) {
        append(new Event(attempt, System.currentTimeMillis(), RUN, runId, experimentId, parentRunId, null, null));
    }

    void done(String attempt, String event, String runId, Collection<Long> seqs, String reason) {
        if (!seqs.isEmpty()) {
            append(new Event(attempt, System.currentTimeMillis(), event, runId, null, null, ranges(seqs), reason));
        }
    }

    void closed(String attempt, String runId) {
        append(new Event(attempt, System.currentTimeMillis(), CLOSED, runId, null, null, null, null));
    }

    synchronized void close() {
        if (out != null) {
            out.close();
            out = null;
        }
    }

    /** Events by attempt, in file order; unreadable lines (a crash mid-write) are skipped. */
    static Map<String, List<Event>> read(Path file) {
        Map<String, List<Event>> m = new LinkedHashMap<>();
        for (String line : AppendOnlyFile.read(file).complete()) {
            if (line.isBlank()) {
                continue;
            }
            try {
                Event e = RunLogJson.MAPPER.readValue(line, Event.class);
                m.computeIfAbsent(e.attempt(), a -> new ArrayList<>()).add(e);
            } catch (JsonProcessingException ignored) {
                // an ack that was never completed: the records count as not acknowledged
            }
        }
        return m;
    }

    /** Sorted sequence numbers as closed ranges. */
    static List<long[]> ranges(Collection<Long> seqs) {
        List<long[]> out = new ArrayList<>();
        long from = -1;
        long to = -2;
        for (long s : new TreeSet<>(seqs)) {
            if (s == to + 1) {
                to = s;
            } else {
                if (from >= 0) {
                    out.add(new long[] {from, to});
                }
                from = s;
                to = s;
            }
        }
        if (from >= 0) {
            out.add(new long[] {from, to});
        }
        return out;
    }
}
