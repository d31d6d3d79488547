package org.deqbench.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.deqbench.plan.NodeInput;
import org.deqbench.recon.CgSense;
import org.deqbench.recon.Reconstructor;
import org.deqbench.recon.ZeroFilled;
import org.deqbench.solve.ConjugateGradient;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.TaskSpec;

/** Loads a trained method from its train node as a {@link Reconstructor}, for certify and attack. */
public final class TrainedMethods {
    /** CG settings for certification: tight enough that CG-SENSE is its exact linear map in float64. */
    static final ConjugateGradient EXACT_CG = new ConjugateGradient(1e-9, 1000);

    private TrainedMethods() {
    }

    public static Reconstructor load(NodeInput trained, MethodSpec method, TaskSpec task) {
        return switch (method.kind()) {
            case ZERO_FILLED -> new ZeroFilled();
            case CG_SENSE -> {
                JsonNode m = trained.json("method.json");
                if (!m.hasNonNull("lambda")) {
                    throw new org.deqbench.plan.NodeOutputError(trained.dir().resolve("method.json"),
                            "has no 'lambda' (the weight chosen in training)", null);
                }
                yield new CgSense(m.get("lambda").asDouble(), EXACT_CG);
            }
            default -> LearnedTraining.load(trained, method, task);
        };
    }
}
