package org.deqbench.train;

import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFiles;

/** Loads a trained method from its train node as a {@link Reconstructor}, for certify and attack. */
public final class TrainedMethods {
    private TrainedMethods() {
    }

    public static Reconstructor load(NodeFiles trained, MethodSpec method, TaskSpec task) {
        return MethodRegistry.of(method.kind()).load(trained, method, task);
    }
}
