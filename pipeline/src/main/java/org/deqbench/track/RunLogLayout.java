package org.deqbench.track;

import java.nio.file.Path;

/**
 * Where tracking files live in a run directory:
 * <pre>
 * runlog/&lt;node id, '/' as '+'&gt;.jsonl   the run log of a node (all its attempts), append-only
 * runlog/_pipeline.jsonl              the pipeline runs started by the local runner
 * runlog/acks/&lt;same name&gt;.jsonl       what MLflow acknowledged of that file (sequence numbers, run ids)
 * runlog/locks/&lt;same name&gt;.lock       held while the node (or the runner) is running
 * runlog/locks/sync.lock              held by 'deqbench mlflow sync'
 * </pre>
 * One file per node, so parallel pods on a shared volume never write to the same file.
 */
public final class RunLogLayout {
    /** Run-log folder inside a run directory. */
    public static final String DIR = "runlog";
    static final String PIPELINE = "_pipeline";

    private RunLogLayout() {
    }

    public static Path dir(Path runDir) {
        return runDir.resolve(DIR);
    }

    /** The run log of a node: {@code <runDir>/runlog/<node id with '/' as '+'>.jsonl}. */
    public static Path nodeFile(Path runDir, String nodeId) {
        return dir(runDir).resolve(nodeId.replace('/', '+') + ".jsonl");
    }

    /** The pipeline-run log of the local runner. */
    public static Path pipelineFile(Path runDir) {
        return dir(runDir).resolve(PIPELINE + ".jsonl");
    }

    static Path ackFile(Path logFile) {
        return logFile.resolveSibling("acks").resolve(logFile.getFileName().toString());
    }

    static Path lockFile(Path logFile) {
        String name = logFile.getFileName().toString();
        return logFile.resolveSibling("locks").resolve(name.substring(0, name.length() - ".jsonl".length()) + ".lock");
    }

    static Path syncLock(Path runDir) {
        return dir(runDir).resolve("locks").resolve("sync.lock");
    }
}
