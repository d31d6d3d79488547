package org.deqbench.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.deqbench.metrics.ImageScores;
import org.deqbench.nn.ConvNet;
import org.deqbench.recon.Modl;
import org.deqbench.recon.ModlGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * MoDL as the trainer sees it: parameters are the CNN's (keyed like {@link ConvNet#parameters()})
 * and {@value #LOG_LAMBDA}; loss and gradients come from one backpropagation through the unrolled
 * graph ({@link Modl#lossAndGradients}).
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
        Modl.Step s = modl.lossAndGradients(batch.measurements(), batch.operator(), batch.groundTruth());
        Map<String, INDArray> g = new LinkedHashMap<>();
        for (String k : parameters.keySet()) {
            String var = k.equals(LOG_LAMBDA) ? ModlGraph.LOG_LAMBDA : ConvNet.VARIABLE_PREFIX + k;
            INDArray gk = s.gradients().get(var);
            if (gk == null) {
                throw new IllegalStateException("MoDL graph returned no gradient for '" + var + "'");
            }
            g.put(k, gk.reshape(parameters.get(k).shape()));
        }
        return new StepResult(s.loss(), g, Map.of("lambda", modl.lambda()));
    }

    @Override
    public double[] validationScores(ExampleSet.Batch batch) {
        INDArray x = modl.reconstruct(batch.measurements(), batch.operator());
        return ImageScores.perImage(batch.groundTruth(), x).stream().mapToDouble(ImageScores::psnr).toArray();
    }
}
