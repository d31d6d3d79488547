package org.deqbench.stage;

import org.deqbench.train.MethodRegistry;
import org.deqbench.plan.NodeContext;
import org.deqbench.plan.Stage;

/**
 * The {@code train} stage: fits one method on the training split of one task and writes its
 * test-split reconstructions and per-image metrics, through the method's entry in
 * {@link MethodRegistry}.
 */
public final class TrainStage implements Stage {
    @Override
    public String name() {
        return "train";
    }

    @Override
    public void run(NodeContext ctx) throws Exception {
        MethodRegistry.of(ctx.method().kind()).train(new NodeTrainingRun(ctx));
    }
}
