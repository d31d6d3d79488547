package org.deqbench.train;

import java.util.Set;
import org.deqbench.recon.Reconstructor;
import org.deqbench.spec.MethodSpec;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;
import org.deqbench.store.NodeFiles;

/**
 * A reconstruction method as the pipeline runs it: the contract every method kind implements once
 * and {@link MethodRegistry} lists once. Its spec section is the typed {@link MethodSpec} (which
 * sections apply is declared by the kind); what it can prove and its measurement vector-Jacobian
 * product come with the trained {@link Reconstructor} ({@link Reconstructor#lipschitzUpperBound};
 * {@link Reconstructor.Differentiable#measurementVjp} for the methods that have one, which certify
 * and attack then use for gradient ascent).
 *
 * <p>To add a method: write one class implementing this interface (for a network trained by the
 * shared trainer, {@link LearnedMethod}, which supplies {@link #train} and {@link #load}), and add one
 * line to {@link MethodRegistry}. The validator, the train, certify and attack stages and the memory
 * benchmark find it there; nothing else names method kinds.
 */
public interface Method {
    /** The problems the method runs on (the validator refuses a spec pairing it with another). */
    Set<Problem> problems();

    /**
     * The keys of its spec section the method reads besides those its kind implies
     * ({@link org.deqbench.spec.MethodKind#impliedSpecKeys()}: name, kind, network, training, deq),
     * e.g. {@code lambdas} and {@code cg_iterations} for CG-SENSE; tracking logs only these
     * sections of a method as params.
     */
    Set<String> specKeys();

    /**
     * The train stage's work for one task: fit on the training split (or choose the method's
     * parameters there), reconstruct the test split, and write the node's outputs
     * ({@code reconstructions.npy}, {@code metrics.json}, {@code method.json}, and for trained
     * models {@code model/}).
     */
    void train(TrainingRun run);

    /** The trained method from its train node's outputs, for certify and attack. */
    Reconstructor load(NodeFiles trained, MethodSpec method, TaskSpec task);
}
