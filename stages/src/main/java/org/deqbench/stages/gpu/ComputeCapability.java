package org.deqbench.stages.gpu;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An NVIDIA compute capability {@code major.minor} (sm_{major}{minor}), as {@code nvidia-smi
 * --query-gpu=compute_cap} prints it ("8.6").
 */
public record ComputeCapability(int major, int minor) implements Comparable<ComputeCapability> {
    private static final Pattern FORM = Pattern.compile("(\\d+)\\.(\\d)");

    public ComputeCapability {
        if (major < 1 || minor < 0 || minor > 9) {
            throw new IllegalArgumentException("compute capability: expected major >= 1 and minor 0-9, found "
                    + major + "." + minor);
        }
    }

    /** Parses "8.6"; fails naming what it found. */
    public static ComputeCapability parse(String text) {
        Matcher m = FORM.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("compute capability: expected <major>.<minor> such as 8.6, found '"
                    + text.trim() + "'");
        }
        return new ComputeCapability(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    /**
     * Whether a cubin compiled for {@code cubin} runs on a device of this capability: same major
     * version, equal or higher minor version (CUDA's binary compatibility rule; PTX, which the
     * driver could compile for newer devices, is a separate matter).
     */
    public boolean runsCubinFor(ComputeCapability cubin) {
        return major == cubin.major && minor >= cubin.minor;
    }

    @Override
    public int compareTo(ComputeCapability o) {
        return major != o.major ? Integer.compare(major, o.major) : Integer.compare(minor, o.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
