package org.deqbench.train;

import org.deqbench.plan.NodeContext;
import org.deqbench.plan.NodeInput;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;

/** Training and loading of learned methods (MoDL, DEQ, MOL-SN, MOL-LR, …). */
public final class LearnedTraining {
    private LearnedTraining() {
    }

    /** Trains the node's learned method and writes model, curves, reconstructions and metrics. */
    public static void train(NodeContext ctx) {
        throw new UnsupportedOperationException("method kind '" + ctx.method().kind().key()
                + "' (" + ctx.method().name() + ") cannot be trained by this build yet");
    }

    /** Loads a trained learned method from its train node. */
    public static Reconstructor load(NodeInput trained, MethodSpec method, TaskSpec task) {
        throw new UnsupportedOperationException("method kind '" + method.kind().key()
                + "' cannot be loaded by this build yet");
    }
}
