package org.deqbench.reference;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deqbench.nn.ConvNet;
import org.deqbench.plan.Manifest;
import org.deqbench.plan.ManifestEntry;
import org.deqbench.plan.RunStore;
import org.deqbench.recon.DeqReconstructor;
import org.deqbench.recon.MolIteration;
import org.deqbench.spec.DeqSpec;

/**
 * An imported official MOL model as a trained {@code mol-lr} model folder, and its loading for
 * inference.
 *
 * <p><b>Written by {@link #write}</b> (the one place that knows the folder layout; it follows what
 * {@code LearnedTraining.saveModel} writes for a trained {@code mol-lr} node):
 * <pre>
 *   &lt;dir&gt;/model/model.json         {"kind": "mol-lr", "lambda": λ, "network": "network/ …",
 *                                   "deq": {DeqSpec: alpha, lambda, max_iterations, tolerance, solver,
 *                                           …, cg_iterations}, "init_cg_iterations": n₀,
 *                                   "official": {alpha, lambda, cg_iterations, init_lambda,
 *                                                init_cg_iterations, identity_weight, tolerance,
 *                                                max_iterations},
 *                                   "source": {"checkpoint": path, "sha256": …, "parameters": yml}}
 *   &lt;dir&gt;/model/network/            ConvNet.save: network.json, network.sdz
 *   &lt;dir&gt;/manifest.json             every file with its role
 * </pre>
 * {@code LearnedTraining.load} reads the same folder as a plain {@code mol-lr} model (the
 * {@code official} block is then ignored: γ = 1 and x₀ with μ = 1/λ, which is not the official
 * iteration); {@link #load} honours it.
 */
public final class ImportedMolModel {
    static final String MODEL_JSON = "model/model.json";
    static final String NETWORK_DIR = "model/network";
    static final String KIND = "mol-lr";

    private ImportedMolModel() {
    }

    /** Where an imported model came from. */
    public record Source(String checkpoint, String sha256, String parameters) {
    }

    /**
     * Writes the model folder {@code dir} (created; existing model files are replaced).
     *
     * @return the files written, relative to {@code dir}
     */
    public static List<String> write(Path dir, ConvNet network, OfficialMolSettings s, Source source) {
        try {
            Files.createDirectories(dir);
            Path netDir = dir.resolve(NETWORK_DIR);
            network.save(netDir);
            Map<String, Object> desc = new LinkedHashMap<>();
            desc.put("kind", KIND);
            desc.put("lambda", s.lambda());
            desc.put("network", "network/ (ConvNet.save: network.json, network.sdz)");
            desc.put("deq", deqSpec(s, "plain"));
            desc.put("init_cg_iterations", s.initCgIterations());
            desc.put("official", s.json());
            desc.put("source", source);
            RunStore.JSON.writeValue(dir.resolve(MODEL_JSON).toFile(), desc);
            List<ManifestEntry> entries = new ArrayList<>();
            entries.add(new ManifestEntry(MODEL_JSON, "model", null, "json",
                    "how to rebuild the imported method (kind, λ, solver settings, the official constants)"));
            try (Stream<Path> files = Files.walk(netDir)) {
                for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
                    String rel = dir.relativize(p).toString().replace('\\', '/');
                    entries.add(new ManifestEntry(rel, "model", null, rel.endsWith(".json") ? "json" : "samediff",
                            "imported network (nn.ConvNet format)"));
                }
            }
            Map<String, Object> conventions = new LinkedHashMap<>();
            conventions.put("complex_layout", "real/imaginary as two channels, axis 1 of [N, 2, H, W]");
            conventions.put("weights", "[k, k, Cin, Cout], permuted from torch's [Cout, Cin, k, k]");
            Map<String, String> sha256 = new LinkedHashMap<>();
            for (ManifestEntry e : entries) {
                sha256.put(e.file(), org.deqbench.plan.ContentHash.of(dir.resolve(e.file())));
            }
            RunStore.JSON.writeValue(dir.resolve(RunStore.MANIFEST).toFile(),
                    new Manifest("import/mol-checkpoint", "import", null, KIND, source.sha256(), conventions, entries,
                            sha256));
            List<String> written = new ArrayList<>();
            entries.forEach(e -> written.add(e.file()));
            written.add(RunStore.MANIFEST);
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the imported model to " + dir, e);
        }
    }

    /** The solver settings in DeqSpec form; {@code solver} is {@code plain} or {@code anderson}. */
    static DeqSpec deqSpec(OfficialMolSettings s, String solver) {
        DeqSpec d = DeqSpec.DEFAULT;
        return new DeqSpec(s.alpha(), s.lambda(), s.maxIterations(), s.tolerance(), solver, d.andersonMemory(),
                d.backward(), d.backwardMaxIterations(), d.backwardTolerance(), s.cgIterations());
    }

    /** A loaded model: its reconstructor and the constants it runs with. */
    public record Loaded(DeqReconstructor reconstructor, OfficialMolSettings settings) {
    }

    /**
     * Loads a folder written by {@link #write} (or a trained {@code mol-lr}/{@code mol-sn}/{@code deq}
     * node, whose {@code official} block is absent: then γ = 1 and x₀ with μ = 1/λ).
     *
     * @param solver {@code plain}, {@code anderson}, or null for the model's own
     */
    public static Loaded load(Path dir, String solver) {
        Path descFile = dir.resolve(MODEL_JSON);
        if (!Files.isRegularFile(descFile)) {
            throw new CheckpointFormatException(descFile + ": missing; expected a model folder with " + MODEL_JSON
                    + " (written by deqbench import mol-checkpoint or a train node)");
        }
        JsonNode desc;
        try {
            desc = RunStore.JSON.readTree(descFile.toFile());
        } catch (IOException e) {
            throw new CheckpointFormatException(descFile + ": corrupt JSON (" + e.getMessage() + ")");
        }
        String kind = desc.path("kind").asText();
        if (!List.of("mol-lr", "mol-sn", "deq").contains(kind)) {
            throw new CheckpointFormatException(descFile + ": kind '" + kind + "' is not a deep-equilibrium MOL "
                    + "model (expected mol-lr, mol-sn or deq)");
        }
        if (!desc.path("lambda").isNumber()) {
            throw new CheckpointFormatException(descFile + ": has no numeric 'lambda'");
        }
        double lambda = desc.get("lambda").asDouble();
        DeqSpec saved;
        try {
            saved = desc.has("deq") ? RunStore.JSON.treeToValue(desc.get("deq"), DeqSpec.class) : DeqSpec.DEFAULT;
        } catch (IOException e) {
            throw new CheckpointFormatException(descFile + ": 'deq' is not a DeqSpec (" + e.getMessage() + ")");
        }
        OfficialMolSettings s;
        if (desc.has("official")) {
            JsonNode o = desc.get("official");
            s = new OfficialMolSettings(o.path("alpha").asDouble(), lambda, o.path("cg_iterations").asInt(),
                    o.path("init_lambda").asDouble(), o.path("init_cg_iterations").asInt(),
                    o.path("identity_weight").asDouble(), saved.tolerance(), saved.maxIterations());
        } else {
            int initCg = desc.path("init_cg_iterations").asInt(10);
            s = new OfficialMolSettings(saved.alpha(), lambda, saved.cgIterations(), lambda, initCg, 1.0, saved.tolerance(), saved.maxIterations());
        }
        DeqSpec d = new DeqSpec(s.alpha(), lambda, saved.maxIterations(), saved.tolerance(),
                solver == null ? saved.solver() : solver, saved.andersonMemory(), saved.backward(),
                saved.backwardMaxIterations(), saved.backwardTolerance(), s.cgIterations());
        ConvNet net = ConvNet.load(dir.resolve(NETWORK_DIR));
        MolIteration it = new MolIteration(net, s.alpha(), lambda, s.cgIterations(), s.identityWeight());
        // official start: (λ₀ A^H A + γ I)^{-1} λ₀ A^H b by exactly n₀ CG steps; a trained node's: μ = 1/λ
        DeqReconstructor.Start start = desc.has("official")
                ? new DeqReconstructor.Start(s.startMu(), s.initCgIterations(), 0.0)
                : new DeqReconstructor.Start(1.0 / lambda, s.initCgIterations(), null);
        return new Loaded(new DeqReconstructor(it, d, start), s);
    }
}
