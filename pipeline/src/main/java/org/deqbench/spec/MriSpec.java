package org.deqbench.spec;

/**
 * MRI acquisition.
 *
 * @param coils          receive coils; default 1 for single-coil-mri and 8 otherwise (filled in by
 *                       {@link TaskSpec}, which knows the problem); ignored for HDF5 sources,
 *                       whose files fix it
 * @param mask           {@code cartesian} (random phase-encode lines with a fully sampled centre)
 *                       or {@code variable-density} (2D random sampling at {@code samplingRatio})
 * @param acceleration   Cartesian undersampling factor R ≥ 1
 * @param centreFraction fraction of central phase-encode lines always sampled
 * @param samplingRatio  variable-density: fraction of k-space sampled, in (0, 1]
 * @param maskPerExample draw a different mask for every example / slice / frame
 */
public record MriSpec(Integer coils, String mask, Double acceleration, Double centreFraction,
                      Double samplingRatio, Boolean maskPerExample) {
    public static final MriSpec DEFAULT = new MriSpec(null, null, null, null, null, null);

    /** This section with {@code coils} set. */
    public MriSpec withCoils(int n) {
        return new MriSpec(n, mask, acceleration, centreFraction, samplingRatio, maskPerExample);
    }

    public MriSpec {
        mask = mask == null ? "cartesian" : mask;
        acceleration = acceleration == null ? 4.0 : acceleration;
        centreFraction = centreFraction == null ? 0.08 : centreFraction;
        samplingRatio = samplingRatio == null ? 0.3 : samplingRatio;
        maskPerExample = maskPerExample == null ? false : maskPerExample;
    }
}
