package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.Modl;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoDL as the trainer sees it: parameters are the CNN's (keyed like {@link ConvNet#parameters()})
 * and {@value #LOG_LAMBDA}; the loss is the mean squared error of x_K, its gradients come from
 * MoDL's backward sweep with exact data-consistency gradients ({@link Modl#backward}).
 */
final class ModlModel implements TrainableModel<ExampleSet.Batch> {
    static final String LOG_LAMBDA = NetworkAndLambda.LOG_LAMBDA;

    private final Modl modl;
    private final NetworkAndLambda weights;

    ModlModel(Modl modl) {
        this.modl = modl;
        this.weights = new NetworkAndLambda(modl.network(), modl.logLambda()); // updated in place
    }

    Modl modl() {
        return modl;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return weights.parameters();
    }

    @Override
    public void parametersChanged() {
        weights.parametersChanged();
    }

    @Override
    public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
        Modl.Forward f = modl.forward(batch.measurements(), batch.operator());
        INDArray diff = f.x().sub(batch.groundTruth().castTo(f.x().dataType()));
        double n = diff.length();
        double norm = diff.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).norm2Number().doubleValue();
        Modl.Gradients gr = modl.backward(f, diff.muli(2.0 / n));
        Map<String, INDArray> g = new LinkedHashMap<>(gr.parameters());
        g.put(LOG_LAMBDA, weights.logLambdaGradient(gr.lambda()));
        return new StepResult(norm * norm / n, g, Map.of("lambda", modl.lambda(), "cg_residual", f.cgResidual()));
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        INDArray x = modl.reconstruct(batch.measurements(), batch.operator());
        return ImageScores.perImage(batch.groundTruth(), x).stream().mapToDouble(ImageScores::psnr).toArray();
    }
}
