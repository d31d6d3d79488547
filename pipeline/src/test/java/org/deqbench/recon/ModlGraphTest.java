package org.deqbench.recon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;

/** MoDL's graph gradients against central finite differences, in double precision. */
class ModlGraphTest {
    static final DataType D = DataType.DOUBLE;
    static final int C = 2;
    static final int H = 8;
    static final int W = 8;

    /** A two-layer 4-channel CNN whose weights live in these arrays (shared across K calls). */
    final INDArray w0 = Nd4j.randn(D, 3, 3, 2, 4).muli(0.2);
    final INDArray w1 = Nd4j.randn(D, 3, 3, 4, 2).muli(0.2);

    SDVariable net(SameDiff sd, SDVariable x) {
        Conv2DConfig c = Conv2DConfig.builder().kH(3).kW(3).paddingMode(PaddingMode.SAME).dataFormat("NCHW")
                .weightsFormat(org.nd4j.enums.WeightsFormat.YXIO).build();
        SDVariable a = sd.hasVariable("w0") ? sd.getVariable("w0") : sd.var("w0", w0);
        SDVariable b = sd.hasVariable("w1") ? sd.getVariable("w1") : sd.var("w1", w1);
        return sd.cnn.conv2d(sd.math.tanh(sd.cnn.conv2d(x, a, c)), b, c);
    }

    @Test
    void parameterAndMeasurementGradientsMatchFiniteDifferences() {
        Nd4j.getRandom().setSeed(42);
        INDArray logLambda = Nd4j.scalar(D, Math.log(0.3));
        INDArray maps = Nd4j.randn(D, 2, C, 2, H, W).muli(0.7);
        INDArray mask = Nd4j.rand(D, 2, H, W).gt(0.4).castTo(D);
        INDArray kspace = Nd4j.randn(D, 2, C, 2, H, W).muli(mask.reshape(2, 1, 1, H, W));
        INDArray target = Nd4j.randn(D, 2, 2, H, W);
        INDArray v = Nd4j.randn(D, 2, 2, H, W);
        SameDiff train = ModlGraph.build(ModlGraph.Purpose.TRAIN, this::net, logLambda, 2, 3, C, H, W, D);
        SameDiff vjp = ModlGraph.build(ModlGraph.Purpose.VJP, this::net, logLambda, 2, 3, C, H, W, D);
        Map<String, INDArray> feed = new HashMap<>(Map.of(ModlGraph.KSPACE, kspace, ModlGraph.MAPS, maps,
                ModlGraph.MASK, mask, ModlGraph.TARGET, target));
        Map<String, INDArray> g = train.calculateGradients(feed, List.of(ModlGraph.LOG_LAMBDA, "w0", "w1"));

        // central differences, step 1e-5: truncation O(h²) ≈ 1e-10, rounding ≈ 1e-16/1e-5; 1e-6 relative is safe
        check(train, feed, logLambda, 0, g.get(ModlGraph.LOG_LAMBDA));
        check(train, feed, w0, 7, g.get("w0"));
        check(train, feed, w1, 30, g.get("w1"));

        Map<String, INDArray> vfeed = new HashMap<>(Map.of(ModlGraph.KSPACE, kspace, ModlGraph.MAPS, maps,
                ModlGraph.MASK, mask, ModlGraph.COTANGENT, v));
        INDArray gb = vjp.calculateGradients(vfeed, List.of(ModlGraph.KSPACE)).get(ModlGraph.KSPACE);
        for (long i : new long[] {3, 200, 411}) {
            check(vjp, vfeed, kspace, i, gb);
        }
    }

    private static void check(SameDiff sd, Map<String, INDArray> feed, INDArray param, long index, INDArray grad) {
        double h = 1e-5;
        double x = param.getDouble(index);
        param.putScalar(index, x + h);
        double up = loss(sd, feed);
        param.putScalar(index, x - h);
        double down = loss(sd, feed);
        param.putScalar(index, x);
        double fd = (up - down) / (2 * h);
        double an = grad.getDouble(index);
        assertEquals(fd, an, 1e-6 * Math.max(1e-3, Math.abs(fd)), "entry " + index);
    }

    private static double loss(SameDiff sd, Map<String, INDArray> feed) {
        return sd.output(feed, ModlGraph.LOSS).get(ModlGraph.LOSS).getDouble(0);
    }
}
