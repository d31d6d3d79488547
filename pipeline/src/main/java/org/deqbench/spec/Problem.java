package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;

/** The inverse problems the benchmark knows; the YAML value is {@link #key()}. */
public enum Problem {
    /** Multi-coil Cartesian MRI, A = M F S (SENSE). Complex images. */
    MRI("mri", true),
    /** Single-coil MRI, A = M F. Complex images. */
    SINGLE_COIL_MRI("single-coil-mri", true),
    /** 2D+time multi-coil MRI, every frame with its own mask. Complex images. */
    DYNAMIC_MRI("dynamic-mri", true),
    /** 3D multi-coil MRI on volumes. Complex images. */
    MRI_3D("mri-3d", true),
    /** Denoising, A = I. Real images. */
    DENOISE("denoise", false),
    /** Gaussian deblurring, periodic convolution. Real images. */
    DEBLUR("deblur", false),
    /** Super-resolution: blur then decimation by an integer factor. Real images. */
    SUPER_RESOLUTION("super-resolution", false),
    /** Inpainting: a random pixel mask. Real images. */
    INPAINT("inpaint", false);

    private final String key;
    private final boolean complex;

    Problem(String key, boolean complex) {
        this.key = key;
        this.complex = complex;
    }

    @JsonValue
    public String key() {
        return key;
    }

    /** Whether images are complex (two real channels: real, imaginary). */
    public boolean complex() {
        return complex;
    }

    /** Whether the problem is an MRI problem (has coils, masks and an FFT). */
    public boolean isMri() {
        return this == MRI || this == SINGLE_COIL_MRI || this == DYNAMIC_MRI || this == MRI_3D;
    }

    @JsonCreator
    public static Problem fromKey(String key) {
        return Arrays.stream(values()).filter(p -> p.key.equals(key)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown problem '" + key
                        + "'; expected one of " + Arrays.stream(values()).map(Problem::key).toList()));
    }
}
