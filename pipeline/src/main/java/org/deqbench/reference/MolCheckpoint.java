package org.deqbench.reference;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.deqbench.nn.ConvNet;
import org.deqbench.reference.TorchCheckpoint.TorchTensor;
import org.deqbench.spec.NetworkSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A released checkpoint of the official MOL code ({@code Models/<name>/model_best_trn.pth.tar},
 * {@code torch.save({"state_dict": model.state_dict()})} of {@code solvers.DEQ} around
 * {@code solver_blocks.fwdbwdBlock}) as a deqbench network and MOL constants.
 *
 * <p><b>Architecture.</b> The official H_θ is {@code networks.dwblock}: the complex image as two
 * channels (real, imaginary: {@code torch.cat((x.real, x.imag), dim=1)}), then
 * {@code number_of_layers} {@code layers.convlayer}s, each {@code nn.Conv2d(k, stride 1,
 * padding 1, bias=True)} followed by ReLU except the last, no normalisation and no output scaling,
 * then back to complex. That is exactly {@link ConvNet} with activation {@code relu}, 2 channels
 * in and out, so no extension of ConvNet is needed. The checkpoint holds the weights only, so the
 * import checks what the weights show — keys {@code f.dw.net.<l>.conv.weight} and {@code .bias}
 * for l = 0 … n−1 and nothing else but {@code f.lam}; square odd kernels; 2 channels in and out;
 * equal hidden widths; each layer's input width its predecessor's output; biases present; no
 * spectral-norm parameters ({@code weight_orig}, {@code weight_u}) — and, when the yml is given, its
 * {@code number_of_layers}, {@code number_of_feature_filters}, {@code input_channels} and
 * {@code output_channels} against them. ReLU, zero padding and the missing output scaling are the
 * official {@code convlayer}'s and cannot be read from weights.
 *
 * <p><b>Weights.</b> torch stores conv weights {@code [Cout, Cin, kh, kw]} for cross-correlation;
 * ConvNet's SameDiff conv2d (also cross-correlation) takes {@code [kh, kw, Cin, Cout]}: the import
 * permutes axes (2, 3, 1, 0) and copies biases as they are.
 *
 * @param network  H_θ with the checkpoint's weights (float32)
 * @param settings λ from {@code f.lam}, the rest from the yml or the official defaults
 */
public record MolCheckpoint(ConvNet network, OfficialMolSettings settings) {
    static final String LAMBDA_KEY = "f.lam";
    static final String LAYER_PREFIX = "f.dw.net.";

    /**
     * Reads and checks a checkpoint and (optionally) its {@code training_parameters.yml}.
     *
     * @param yml the parameter file, or null to use the official scripts' values
     * @throws CheckpointFormatException one line naming the file, the key, what was expected and found
     */
    public static MolCheckpoint read(Path checkpoint, Path yml) {
        Object root = TorchCheckpoint.read(checkpoint);
        Map<?, ?> state = stateDict(root, checkpoint);
        Map<String, TorchTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : state.entrySet()) {
            if (!(e.getKey() instanceof String k) || !(e.getValue() instanceof TorchTensor t)) {
                throw new CheckpointFormatException(checkpoint + ": state_dict entry " + e.getKey()
                        + " is not a named tensor");
            }
            tensors.put(k, t);
        }
        double lambda = lambda(tensors, checkpoint);
        Map<String, JsonNode> yaml = yml == null ? Map.of() : OfficialMolSettings.readPairs(yml);
        NetworkShape shape = networkShape(tensors, checkpoint);
        checkAgainstYaml(shape, yaml, yml);
        ConvNet net = ConvNet.create(new NetworkSpec(shape.layers(), shape.channels(), shape.kernel(), "relu", null),
                2, 2, 0, DataType.FLOAT);
        net.setParameters(parameters(tensors, shape.layers()));
        OfficialMolSettings settings = yml == null ? OfficialMolSettings.defaults(lambda)
                : OfficialMolSettings.withYaml(lambda, yml);
        return new MolCheckpoint(net, settings);
    }

    /** The network's shape read off the weights. */
    record NetworkShape(int layers, int channels, int kernel) {
    }

    private static Map<?, ?> stateDict(Object root, Path file) {
        if (root instanceof Map<?, ?> m && m.get("state_dict") instanceof Map<?, ?> sd) {
            return sd;
        }
        if (root instanceof Map<?, ?> m && m.containsKey(LAMBDA_KEY)) {
            return m; // a bare state_dict
        }
        String found = root instanceof Map<?, ?> m ? "keys " + new TreeSet<>(m.keySet().stream().map(String::valueOf).toList())
                : String.valueOf(root == null ? null : root.getClass().getSimpleName());
        throw new CheckpointFormatException(file + ": expected {'state_dict': ...} (or a state_dict) as saved by the "
                + "official trn_mol.py, found " + found);
    }

    private static double lambda(Map<String, TorchTensor> t, Path file) {
        TorchTensor lam = t.get(LAMBDA_KEY);
        if (lam == null) {
            throw new CheckpointFormatException(file + ": state_dict has no '" + LAMBDA_KEY + "' (the learned λ of "
                    + "fwdbwdBlock); keys found: " + t.keySet());
        }
        if (lam.size() != 1) {
            throw new CheckpointFormatException(file + ": '" + LAMBDA_KEY + "' must be a scalar, found shape "
                    + Arrays.toString(lam.shape()));
        }
        double v = lam.values()[0];
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new CheckpointFormatException(file + ": '" + LAMBDA_KEY + "' must be a positive number, found " + v);
        }
        return v;
    }

    static NetworkShape networkShape(Map<String, TorchTensor> t, Path file) {
        for (String k : t.keySet()) {
            if (k.equals(LAMBDA_KEY)) {
                continue;
            }
            if (k.endsWith("weight_orig") || k.endsWith("weight_u") || k.endsWith("weight_v")) {
                throw new CheckpointFormatException(file + ": '" + k + "' is a spectral-norm parameter; only the "
                        + "unconstrained dwblock (MOL-LR) is imported");
            }
            if (!k.matches("f\\.dw\\.net\\.\\d+\\.conv\\.(weight|bias)")) {
                throw new CheckpointFormatException(file + ": unexpected key '" + k + "'; the official MOL network "
                        + "(networks.dwblock) has only f.lam and f.dw.net.<l>.conv.weight/.bias");
            }
        }
        int layers = 0;
        while (t.containsKey(weightKey(layers))) {
            layers++;
        }
        if (layers < 2) {
            throw new CheckpointFormatException(file + ": expected convolution weights " + weightKey(0) + ", "
                    + weightKey(1) + ", … ; found " + layers + " layer(s)");
        }
        for (String k : t.keySet()) {
            if (!k.equals(LAMBDA_KEY) && Integer.parseInt(k.split("\\.")[3]) >= layers) {
                throw new CheckpointFormatException(file + ": '" + k + "' without a layer " + weightKey(layers)
                        + " before it: the layers must be numbered 0 … n−1 without gaps");
            }
        }
        int kernel = -1;
        int channels = -1;
        long previousOut = 2;
        for (int l = 0; l < layers; l++) {
            TorchTensor w = t.get(weightKey(l));
            long[] s = w.shape();
            if (s.length != 4 || s[2] != s[3] || s[2] % 2 == 0) {
                throw new CheckpointFormatException(file + ": '" + weightKey(l) + "' must be [Cout, Cin, k, k] with k "
                        + "odd, found shape " + Arrays.toString(s));
            }
            if (kernel < 0) {
                kernel = (int) s[2];
            } else if (s[2] != kernel) {
                throw new CheckpointFormatException(file + ": '" + weightKey(l) + "' has kernel " + s[2] + "x" + s[3]
                        + ", the first layer " + kernel + "x" + kernel + "; ConvNet has one kernel size");
            }
            if (s[1] != previousOut) {
                throw new CheckpointFormatException(file + ": '" + weightKey(l) + "' has " + s[1] + " input channels, "
                        + "expected " + previousOut + (l == 0 ? " (real and imaginary part of the image)" : " (the "
                        + "previous layer's output)") + "; shape " + Arrays.toString(s));
            }
            boolean last = l == layers - 1;
            if (last && s[0] != 2) {
                throw new CheckpointFormatException(file + ": '" + weightKey(l) + "' (the last layer) must have 2 "
                        + "output channels (real and imaginary part), found shape " + Arrays.toString(s));
            }
            if (!last) {
                if (channels < 0) {
                    channels = (int) s[0];
                } else if (s[0] != channels) {
                    throw new CheckpointFormatException(file + ": '" + weightKey(l) + "' has " + s[0] + " output "
                            + "channels, the first layer " + channels + "; ConvNet has one hidden width");
                }
            }
            TorchTensor b = t.get(biasKey(l));
            if (b == null) {
                throw new CheckpointFormatException(file + ": state_dict has no '" + biasKey(l) + "' (official "
                        + "convlayers have bias=True)");
            }
            if (b.shape().length != 1 || b.shape()[0] != s[0]) {
                throw new CheckpointFormatException(file + ": '" + biasKey(l) + "' must have shape [" + s[0] + "], found "
                        + Arrays.toString(b.shape()));
            }
            previousOut = s[0];
        }
        return new NetworkShape(layers, channels, kernel);
    }

    private static void checkAgainstYaml(NetworkShape shape, Map<String, JsonNode> yaml, Path yml) {
        expect(yaml, "number_of_layers", shape.layers(), yml);
        expect(yaml, "number_of_feature_filters", shape.channels(), yml);
        expect(yaml, "input_channels", 1, yml);
        expect(yaml, "output_channels", 1, yml);
    }

    private static void expect(Map<String, JsonNode> yaml, String key, int found, Path yml) {
        JsonNode v = yaml.get(key);
        if (v != null && (!v.canConvertToInt() || v.asInt() != found)) {
            throw new CheckpointFormatException(yml + ": " + key + " is " + v + " but the checkpoint's weights have "
                    + found + (key.endsWith("channels") ? " complex channel(s)" : ""));
        }
    }

    /** ConvNet parameters {@code w<l>} [k, k, Cin, Cout] and {@code b<l>} [Cout] from the torch tensors. */
    static Map<String, INDArray> parameters(Map<String, TorchTensor> t, int layers) {
        Map<String, INDArray> p = new LinkedHashMap<>();
        for (int l = 0; l < layers; l++) {
            TorchTensor w = t.get(weightKey(l));
            INDArray torchLayout = Nd4j.create(w.values(), w.shape(), DataType.DOUBLE);
            p.put("w" + l, torchLayout.permute(2, 3, 1, 0).dup('c').castTo(DataType.FLOAT));
            TorchTensor b = t.get(biasKey(l));
            p.put("b" + l, Nd4j.create(b.values(), b.shape(), DataType.DOUBLE).castTo(DataType.FLOAT));
        }
        return p;
    }

    static String weightKey(int l) {
        return LAYER_PREFIX + l + ".conv.weight";
    }

    static String biasKey(int l) {
        return LAYER_PREFIX + l + ".conv.bias";
    }
}
