package org.deqbench.train;

import org.deqbench.plan.NodeContext;
import org.deqbench.plan.Stage;

/**
 * The {@code train} stage: fits one method on the training split of one task and writes its
 * test-split reconstructions and per-image metrics. Non-learned methods "train" by choosing their
 * regularisation weight on the training split; learned methods run the trainer.
 */
public final class TrainStage implements Stage {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public void run(NodeContext ctx) throws Exception {
        if (ctx.method().kind().learned()) {
            LearnedTraining.train(ctx);
        } else {
            LinearBaselines.train(ctx);
        }
    }
}
