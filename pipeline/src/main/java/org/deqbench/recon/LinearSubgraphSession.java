package org.deqbench.recon;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.InferenceSession;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;
import org.nd4j.autodiff.samediff.internal.memory.ArrayCacheMemoryMgr;
import org.nd4j.imports.VariableUtils;

/**
 * SameDiff's inference session with a linear-time search for the subgraph an output needs.
 *
 * <p>In ND4J 1.0.0-M2.1, {@code AbstractSession.initSubgraph} walks the graph backwards from the
 * requested outputs with a queue but re-enqueues a variable once per path that reaches it, so its
 * cost is the number of paths, not of nodes. Graphs made of chained "diamonds" (a value used by two
 * operations whose results meet again: every complex product, every conjugate-gradient step) have
 * exponentially many paths: MoDL's unrolled graph with a handful of CG steps already takes minutes
 * per call, and a dozen chained diamonds never finish. This session runs the same visit (same
 * sets {@code subgraph}, {@code subgraphOps}, {@code zeroInputOpsInSubgraph}, same rules for
 * control dependencies) but processes each name once, which leaves the result unchanged: a name
 * popped again could only enqueue inputs that its first visit had already enqueued.
 *
 * <p>It also frees released intermediate arrays at once instead of caching them (see the
 * constructor).
 *
 * <p>{@link #install()} binds it as SameDiff's (process-wide) inference factory; graphs built after
 * that use it. Call it before building any graph with many shared intermediate values.
 */
public final class LinearSubgraphSession extends InferenceSession {
    private static volatile boolean installed;

    public LinearSubgraphSession(SameDiff sameDiff) {
        super(sameDiff);
        // Release intermediate arrays as soon as the session no longer needs them. The default
        // ArrayCacheMemoryMgr keeps released arrays for reuse up to a quarter of physical memory,
        // so every process that runs a large graph (MoDL) would hold that quarter, and measured
        // training peaks would show the cache instead of what the computation needs.
        setMmgr(new ArrayCacheMemoryMgr(Double.MIN_NORMAL, 0, 1.0));
    }

    /** Makes every SameDiff session created from now on a {@code LinearSubgraphSession}. */
    public static void install() {
        if (!installed) {
            synchronized (LinearSubgraphSession.class) {
                if (!installed) {
                    SameDiff.bindInferenceFactory(LinearSubgraphSession::new);
                    installed = true;
                }
            }
        }
    }

    /**
     * Drops the sessions of {@code sd} and of its gradient function, and with them the arrays of
     * the last call: an M2.1 session keeps every intermediate array of its last execution until
     * the next one replaces it, so a large graph (MoDL's K unrolled iterations) otherwise holds
     * one full set of activations between calls and peaks at two during the next. The next call
     * builds a fresh session (a subgraph search, cheap with this class).
     */
    public static void releaseArrays(SameDiff sd) {
        sd.getSessions().clear();
        SameDiff grad = sd.getFunction("grad");
        if (grad != null) {
            grad.getSessions().clear();
        }
    }

    @Override
    protected void initSubgraph(Set<String> variables) {
        Deque<String> queue = new ArrayDeque<>(variables);
        Set<String> visited = new HashSet<>();
        while (!queue.isEmpty()) {
            String varName = queue.remove();
            if (!visited.add(varName)) {
                continue;
            }
            DifferentialFunction producer = sameDiff.getVariableOutputOp(varName);
            String opName = VariableUtils.stripVarSuffix(producer == null ? null : producer.getOwnName());
            if (!subgraph.contains(varName)) {
                String[] opInputs = opName == null ? null : sameDiff.getInputsForOp(sameDiff.getOpById(opName));
                Variable current = sameDiff.getVariables().get(varName);
                if (current == null && opName == null) {
                    // the name is an op's: continue from that op's first output, as M2.1 does
                    SameDiffOp op = sameDiff.getOps().get(varName);
                    current = op == null ? null : sameDiff.getVariables().get(op.getOutputsOfOp().get(0));
                    if (current == null) {
                        throw new IllegalStateException("SameDiff graph has no variable or op named '" + varName + "'");
                    }
                }
                List<String> controlDeps = current.getControlDeps();
                int inputs = (opInputs == null ? 0 : opInputs.length) + (controlDeps == null ? 0 : controlDeps.size());
                if (inputs == 0 && opName != null) {
                    zeroInputOpsInSubgraph.add(opName);
                }
                subgraph.add(varName);
                if (opName != null) {
                    subgraphOps.add(opName);
                }
                if (controlDeps != null) {
                    enqueueMissing(queue, controlDeps);
                }
            }
            if (opName != null) {
                String[] opInputs = sameDiff.getInputsForOp(sameDiff.getOpById(opName));
                if (opInputs != null) {
                    enqueueMissing(queue, List.of(opInputs));
                }
                List<String> opControlDeps = sameDiff.getOps().get(opName).getControlDeps();
                if (opControlDeps != null) {
                    enqueueMissing(queue, opControlDeps);
                }
            }
        }
    }

    private void enqueueMissing(Deque<String> queue, List<String> names) {
        for (String s : names) {
            if (!subgraph.contains(s)) {
                queue.add(s);
            }
        }
    }
}
