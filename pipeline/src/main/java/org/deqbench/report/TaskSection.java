package org.deqbench.report;

import java.util.List;
import org.deqbench.spec.TaskSpec;

/**
 * What the report shows for one task: every method's results and the task's figures (paths
 * relative to the report folder, null when the figure was not drawn).
 *
 * @param task           the task's spec
 * @param testImages     size of the test split
 * @param methods        results, methods in spec order
 * @param examples       example-reconstruction grid
 * @param quality        method comparison (PSNR, SSIM with intervals)
 * @param attack         amplification-vs-ε panels
 * @param trainingLoss   training-loss chart
 * @param validationPsnr validation-PSNR chart
 */
public record TaskSection(TaskSpec task, long testImages, List<MethodResults> methods, String examples,
                          String quality, String attack, String trainingLoss, String validationPsnr) {
    public TaskSection {
        methods = List.copyOf(methods);
    }
}
