package org.deqbench.recon;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deqbench.nn.ConvNet;
import org.deqbench.physics.LinearOperator;
import org.deqbench.physics.MultiCoilMri;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MoDL (Aggarwal, Mani, Jacob, IEEE TMI 2019): K unrolled iterations
 * x_{k+1} = (A^H A + λI)^{-1}(A^H b + λ(x_k − N_w(x_k))) from x₀ = A^H b with one shared CNN and
 * λ = exp(log λ) learned, as one SameDiff graph ({@link ModlGraph}) per purpose and image
 * geometry. Training backpropagates through every iteration and every CG step; the measurement
 * gradient for attacks is the same backpropagation with respect to b.
 *
 * <p>Needs the multi-coil MRI operator ({@link MultiCoilMri}, 2D): the graph rebuilds A from the
 * operator's coil maps and masks.
 */
public final class Modl implements Reconstructor.Differentiable {
    private final ConvNet network;
    private final INDArray logLambda;
    private final int iterations;
    private final int cgIterations;
    private final Map<String, SameDiff> graphs = new HashMap<>();

    /**
     * @param logLambda scalar array, shared with the graphs (the trainer updates it in place)
     */
    public Modl(ConvNet network, INDArray logLambda, int iterations, int cgIterations) {
        if (iterations < 1 || cgIterations < 1) {
            throw new IllegalArgumentException("modl needs iterations ≥ 1 and cg_iterations ≥ 1, found "
                    + iterations + ", " + cgIterations);
        }
        LinearSubgraphSession.install();
        this.network = network;
        this.logLambda = logLambda;
        this.iterations = iterations;
        this.cgIterations = cgIterations;
    }

    public ConvNet network() {
        return network;
    }

    public double lambda() {
        return Math.exp(logLambda.getDouble(0));
    }

    public INDArray logLambda() {
        return logLambda;
    }

    public int iterations() {
        return iterations;
    }

    public int cgIterations() {
        return cgIterations;
    }

    /** Names of the graph variables that are trained: the network's, then log λ. */
    public List<String> trainableVariables() {
        List<String> names = new ArrayList<>();
        for (String k : network.parameters().keySet()) {
            names.add(ConvNet.VARIABLE_PREFIX + k);
        }
        names.add(ModlGraph.LOG_LAMBDA);
        return names;
    }

    private SameDiff graph(ModlGraph.Purpose purpose, MultiCoilMri op) {
        long[] d = op.domainShape();
        String key = purpose + "/" + op.coils() + "/" + d[1] + "x" + d[2];
        return graphs.computeIfAbsent(key, k -> ModlGraph.build(purpose, network::build, logLambda, iterations,
                cgIterations, op.coils(), (int) d[1], (int) d[2], network.dataType()));
    }

    private static MultiCoilMri mri(LinearOperator op) {
        if (op instanceof MultiCoilMri m && m.geometry() == MultiCoilMri.Geometry.SLICE) {
            return m;
        }
        throw new IllegalArgumentException("modl is implemented for 2D multi-coil MRI (problem mri or "
                + "single-coil-mri); found operator " + op.describe());
    }

    private Map<String, INDArray> feed(INDArray b, MultiCoilMri op) {
        DataType t = network.dataType();
        Map<String, INDArray> f = new HashMap<>();
        f.put(ModlGraph.KSPACE, b.castTo(t));
        f.put(ModlGraph.MAPS, op.coilMaps().castTo(t));
        f.put(ModlGraph.MASK, op.masks().castTo(t));
        return f;
    }

    @Override
    public INDArray reconstruct(INDArray measurements, LinearOperator op) {
        MultiCoilMri m = mri(op);
        SameDiff g = graph(ModlGraph.Purpose.INFER, m);
        INDArray x = g.output(feed(measurements, m), ModlGraph.OUTPUT).get(ModlGraph.OUTPUT).castTo(measurements.dataType());
        LinearSubgraphSession.releaseArrays(g);
        return x;
    }

    @Override
    public INDArray measurementVjp(INDArray measurements, LinearOperator op, INDArray v) {
        MultiCoilMri m = mri(op);
        Map<String, INDArray> f = feed(measurements, m);
        f.put(ModlGraph.COTANGENT, v.castTo(network.dataType()));
        SameDiff g = graph(ModlGraph.Purpose.VJP, m);
        INDArray db = g.calculateGradients(f, List.of(ModlGraph.KSPACE)).get(ModlGraph.KSPACE).castTo(measurements.dataType());
        LinearSubgraphSession.releaseArrays(g);
        return db;
    }

    /** Mean squared error against {@code target}, its reconstruction, and the gradients by variable name. */
    public record Step(double loss, INDArray reconstruction, Map<String, INDArray> gradients) {
    }

    /** One backpropagation through all K iterations. */
    public Step lossAndGradients(INDArray measurements, LinearOperator op, INDArray target) {
        MultiCoilMri m = mri(op);
        Map<String, INDArray> f = feed(measurements, m);
        f.put(ModlGraph.TARGET, target.castTo(network.dataType()));
        SameDiff g = graph(ModlGraph.Purpose.TRAIN, m);
        OutAndGrad r = g.calculateGradientsAndOutputs(f, List.of(ModlGraph.LOSS, ModlGraph.OUTPUT), trainableVariables());
        LinearSubgraphSession.releaseArrays(g);
        return new Step(r.getOutputs().get(ModlGraph.LOSS).getDouble(0), r.getOutputs().get(ModlGraph.OUTPUT),
                r.getGradients());
    }

    /** A fresh log λ array of the network's dtype. */
    public static INDArray logLambdaOf(double lambda, DataType dtype) {
        return Nd4j.scalar(dtype, Math.log(lambda));
    }
}
