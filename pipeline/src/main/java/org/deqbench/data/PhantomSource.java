package org.deqbench.data;

import java.util.Map;
import java.util.Set;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.Seeds;
import org.deqbench.spec.Problem;
import org.deqbench.spec.TaskSpec;

/**
 * Ground truth from {@link Phantoms}: images for 2D problems (complex for MRI, magnitude for
 * restoration), moving phantoms for 2D+time, volumes for 3D. Example i of a split draws from the
 * stream (task, split, "ground_truth", i).
 */
final class PhantomSource implements GroundTruthSource {
    private final TaskSpec task;
    private final long seed;

    PhantomSource(TaskSpec task, long seed) {
        Phantoms.checkKind(task.source().phantom());
        this.task = task;
        this.seed = seed;
    }

    @Override
    public Example example(String split, int index) {
        var rng = Seeds.random(seed, task.name(), split, "ground_truth", index);
        String kind = task.source().phantom();
        double[] x = switch (task.problem()) {
            case DYNAMIC_MRI -> Phantoms.sequence(kind, task.frames(), task.height(), task.width(), rng);
            case MRI_3D -> Phantoms.volume(kind, task.frames(), task.height(), task.width(), rng);
            default -> Phantoms.image(kind, task.height(), task.width(), task.problem().complex(), rng);
        };
        return new Example(x, Map.of());
    }

    @Override
    public Set<String> providedParameters() {
        return Set.of();
    }

    @Override
    public int coils() {
        return ForwardModels.coils(task);
    }

    @Override
    public String describe() {
        String what = task.problem() == Problem.DYNAMIC_MRI ? "moving " : task.problem() == Problem.MRI_3D ? "3D " : "";
        return what + task.source().phantom() + " phantoms drawn from the seed"
                + (task.problem().complex() ? ", complex with a smooth random phase" : ", magnitude only");
    }
}
