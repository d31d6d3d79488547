package org.deqbench.spec;

import java.util.List;

/**
 * One inverse problem and its data set.
 *
 * @param name     task name, unique in the experiment; names the run-store folders
 * @param problem  which forward operator
 * @param size     image size [height, width]
 * @param frames   frames (dynamic MRI) or slices (3D MRI); 1 otherwise
 * @param source   where ground truth comes from
 * @param train    number of training examples
 * @param test     number of test examples
 * @param noise    measurement noise
 * @param mri      MRI settings (coils, mask); MRI problems only
 * @param blur     blur kernel; deblurring and super-resolution
 * @param factor   super-resolution decimation factor; must divide both sizes
 * @param missingRatio inpainting: fraction of pixels removed, in [0, 1)
 * @param shardSize examples per shard file when simulate writes large sets
 */
public record TaskSpec(
        String name,
        Problem problem,
        List<Integer> size,
        Integer frames,
        SourceSpec source,
        Integer train,
        Integer test,
        NoiseSpec noise,
        MriSpec mri,
        BlurSpec blur,
        Integer factor,
        Double missingRatio,
        Integer shardSize) {

    public TaskSpec {
        size = size == null ? List.of(64, 64) : List.copyOf(size);
        frames = frames == null ? 1 : frames;
        source = source == null ? SourceSpec.DEFAULT : source;
        train = train == null ? 16 : train;
        test = test == null ? 8 : test;
        noise = noise == null ? NoiseSpec.DEFAULT : noise;
        if (problem != null && problem.isMri() && mri == null) {
            mri = MriSpec.DEFAULT;
        }
        if (mri != null && mri.coils() == null) {
            mri = mri.withCoils(problem == Problem.SINGLE_COIL_MRI ? 1 : 8);
        }
        if (problem == Problem.DEBLUR || problem == Problem.SUPER_RESOLUTION) {
            blur = blur == null ? BlurSpec.DEFAULT : blur;
        }
        if (problem == Problem.SUPER_RESOLUTION && factor == null) {
            factor = 2;
        }
        if (problem == Problem.INPAINT && missingRatio == null) {
            missingRatio = 0.5;
        }
        shardSize = shardSize == null ? 256 : shardSize;
    }

    public int height() {
        return size.get(0);
    }

    public int width() {
        return size.get(1);
    }
}
