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
    static final String LOG_LAMBDA = "log_lambda";

    private final Modl modl;
    private final Map<String, INDArray> parameters = new LinkedHashMap<>();

    ModlModel(Modl modl) {
        this.modl = modl;
        parameters.putAll(modl.network().parameters());
        parameters.put(LOG_LAMBDA, modl.logLambda()); // the graphs' own array: updated in place
    }

    Modl modl() {
        return modl;
    }

    @Override
    public Map<String, INDArray> parameters() {
        return parameters;
    }

    @Override
    public void parametersChanged() {
        Map<String, INDArray> net = new LinkedHashMap<>(parameters);
        net.remove(LOG_LAMBDA);
        modl.network().setParameters(net);
    }

    @Override
    public StepResult lossAndGradients(ExampleSet.Batch batch, long step) {
        Modl.Forward f = modl.forward(batch.measurements(), batch.operator());
        INDArray diff = f.x().sub(batch.groundTruth().castTo(f.x().dataType()));
        double n = diff.length();
        double norm = diff.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).norm2Number().doubleValue();
        Modl.Gradients gr = modl.backward(f, diff.muli(2.0 / n));
        Map<String, INDArray> g = new LinkedHashMap<>(gr.parameters());
        g.put(LOG_LAMBDA, org.nd4j.linalg.factory.Nd4j.scalar(modl.network().dataType(), gr.lambda() * modl.lambda()));
        return new StepResult(norm * norm / n, g, Map.of("lambda", modl.lambda(), "cg_residual", f.cgResidual()));
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        INDArray x = modl.reconstruct(batch.measurements(), batch.operator());
        return ImageScores.perImage(batch.groundTruth(), x).stream().mapToDouble(ImageScores::psnr).toArray();
    }
}
