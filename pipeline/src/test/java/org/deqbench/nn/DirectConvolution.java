package org.deqbench.nn;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The 3D convolution written out as loops over plain double arrays, independent of ND4J's
 * kernels: y[b, o, d, h, w] = bias[o] + Σ_{i, p, q, r} W[p, q, r, i, o] · x[b, i, d+p−k/2, h+q−k/2, w+r−k/2]
 * with x = 0 outside the volume (stride 1, "same" zero padding; a cross-correlation, as in every
 * deep-learning framework).
 */
final class DirectConvolution {
    private DirectConvolution() {
    }

    /** W ⋆ x + bias for x {@code [B, Cin, D, H, W]}, W {@code [k, k, k, Cin, Cout]}, bias {@code [Cout]} or null. */
    static INDArray conv3d(INDArray x, INDArray weight, INDArray bias) {
        long[] xs = x.shape();
        int batch = (int) xs[0];
        int cin = (int) xs[1];
        int depth = (int) xs[2];
        int height = (int) xs[3];
        int width = (int) xs[4];
        int k = (int) weight.size(0);
        int cout = (int) weight.size(4);
        int pad = k / 2;
        double[] in = x.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] w = weight.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] b = bias == null ? new double[cout] : bias.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        double[] out = new double[batch * cout * depth * height * width];
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < cout; o++) {
                for (int d = 0; d < depth; d++) {
                    for (int h = 0; h < height; h++) {
                        for (int c = 0; c < width; c++) {
                            double sum = b[o];
                            for (int i = 0; i < cin; i++) {
                                for (int p = 0; p < k; p++) {
                                    int dd = d + p - pad;
                                    if (dd < 0 || dd >= depth) {
                                        continue;
                                    }
                                    for (int q = 0; q < k; q++) {
                                        int hh = h + q - pad;
                                        if (hh < 0 || hh >= height) {
                                            continue;
                                        }
                                        for (int r = 0; r < k; r++) {
                                            int cc = c + r - pad;
                                            if (cc < 0 || cc >= width) {
                                                continue;
                                            }
                                            double xv = in[(((n * cin + i) * depth + dd) * height + hh) * width + cc];
                                            double wv = w[(((p * k + q) * k + r) * cin + i) * cout + o];
                                            sum += wv * xv;
                                        }
                                    }
                                }
                            }
                            out[(((n * cout + o) * depth + d) * height + h) * width + c] = sum;
                        }
                    }
                }
            }
        }
        return Nd4j.create(out, new long[] {batch, cout, depth, height, width}, DataType.DOUBLE);
    }

    /** φ(z) elementwise for the network's activations, in plain Java. */
    static INDArray activate(INDArray z, String activation) {
        double[] v = z.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        for (int i = 0; i < v.length; i++) {
            v[i] = switch (activation) {
                case "relu" -> Math.max(v[i], 0);
                case "elu" -> v[i] > 0 ? v[i] : Math.expm1(v[i]);
                case "softplus" -> Math.log1p(Math.exp(v[i]));
                default -> throw new IllegalArgumentException(activation);
            };
        }
        return Nd4j.create(v, z.shape(), DataType.DOUBLE);
    }
}
