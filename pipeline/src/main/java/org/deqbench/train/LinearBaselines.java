package org.deqbench.train;

import org.deqbench.plan.NodeContext;

/** Non-learned baselines: zero-filled and CG-SENSE / Tikhonov with λ chosen on the training split. */
final class LinearBaselines {
    private LinearBaselines() {
    }

    static void train(NodeContext ctx) {
        throw new UnsupportedOperationException("baseline '" + ctx.method().kind().key() + "' is not wired yet");
    }
}
