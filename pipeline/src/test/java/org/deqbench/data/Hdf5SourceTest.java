package org.deqbench.data;

import org.deqbench.stage.SimulateStage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.deqbench.physics.HostArrays;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.NodeInput;
import org.deqbench.plan.RunStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * HDF5 import in the fastMRI and MoDL layouts. The committed fixtures (src/test/resources/hdf5,
 * made by make_fixtures.py there) store complex numbers as h5py does (compound {r, i}); the
 * trailing-axis layout is written here with jhdf, whose writer has no compound types.
 */
class Hdf5SourceTest {
    @TempDir
    Path tmp;

    private Path fixture(String name) throws Exception {
        Path p = tmp.resolve(name);
        Files.copy(Path.of("src", "test", "resources", "hdf5", name), p);
        return p;
    }

    private Path spec(String file, String layout, int h, int w, int train, int test) throws Exception {
        Path spec = tmp.resolve("spec-" + layout + "-" + file + ".yaml");
        Files.writeString(spec, """
                name: hdf5
                tasks:
                  - name: knee
                    problem: mri
                    size: [%d, %d]
                    train: %d
                    test: %d
                    source: {type: hdf5, path: %s, layout: %s}
                methods:
                  - {name: zf, kind: zero-filled}
                """.formatted(h, w, train, test, file, layout));
        return spec;
    }

    private NodeInput simulate(Path spec, String run) throws Exception {
        NodeExecutor.run(new SimulateStage(), spec, tmp.resolve(run), "knee", null, false);
        return new RunStore(tmp.resolve(run)).input("simulate/knee");
    }

    /**
     * fastMRI: 2 coils from the file, estimated maps with Σ|S|² = 1 (float32: 1e-5), and the
     * coil-combined ground truth matching the file's root-sum-of-squares image: the fixture's true
     * maps are normalised, so |x| = RSS up to the smoothing of the map estimate (correlation
     * > 0.98 on this 12x12 crop).
     */
    @Test
    void fastMriKspaceGivesCoilMapsAndCombinedGroundTruth() throws Exception {
        fixture("fastmri_tiny.h5");
        NodeInput in = simulate(spec("fastmri_tiny.h5", "fastmri", 12, 12, 1, 1), "run");
        assertEquals(2, ((Number) in.manifest().conventions().get("coils")).intValue());
        SimulatedSplit train = SimulatedData.load(in, "train");
        INDArray maps = train.perExample("coil_maps", 0, 1);
        assertArrayEquals(new long[] {1, 2, 2, 12, 12}, maps.shape());
        INDArray ss = maps.mul(maps).sum(1, 2);
        assertEquals(1, ss.minNumber().doubleValue(), 1e-5);
        assertEquals(1, ss.maxNumber().doubleValue(), 1e-5);
        INDArray x = train.groundTruth().castTo(DataType.DOUBLE);
        INDArray mag = org.nd4j.linalg.ops.transforms.Transforms.sqrt(x.mul(x).sum(1)).reshape(144);
        double[] rss;
        try (Hdf5Reader r = new Hdf5Reader(Path.of("src/test/resources/hdf5/fastmri_tiny.h5"), "test")) {
            double[] full = r.real("reconstruction_rss", "rss", 0, 1); // [16, 12]
            rss = java.util.Arrays.copyOfRange(full, 2 * 12, 14 * 12); // centre rows 2..13
        }
        INDArray ref = HostArrays.fromDouble(rss, new long[] {144}, DataType.DOUBLE);
        double corr = mag.sub(mag.meanNumber()).mul(ref.sub(ref.meanNumber())).sumNumber().doubleValue()
                / (mag.sub(mag.meanNumber()).norm2Number().doubleValue() * ref.sub(ref.meanNumber()).norm2Number().doubleValue());
        assertTrue(corr > 0.98, "correlation of |x| with the RSS image: " + corr);
    }

    @Test
    void complexAsTrailingAxisReadsLikeTheCompoundLayout() throws Exception {
        double[] k;
        try (Hdf5Reader r = new Hdf5Reader(Path.of("src/test/resources/hdf5/fastmri_tiny.h5"), "test")) {
            k = r.complex("kspace", "kspace", 0, 2); // [2 slices, 2 (re/im), 2 coils, 16, 12]
        }
        float[][][][][] data = new float[2][2][16][12][2];
        for (int s = 0; s < 2; s++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 16; i++) {
                    for (int j = 0; j < 12; j++) {
                        int at = (c * 16 + i) * 12 + j;
                        data[s][c][i][j][0] = (float) k[s * 2 * 384 + at];
                        data[s][c][i][j][1] = (float) k[s * 2 * 384 + 384 + at];
                    }
                }
            }
        }
        try (WritableHdfFile f = HdfFile.write(tmp.resolve("trailing.h5"))) {
            f.putDataset("kspace", data);
        }
        fixture("fastmri_tiny.h5");
        NodeInput a = simulate(spec("fastmri_tiny.h5", "fastmri", 12, 12, 1, 1), "compound");
        NodeInput b = simulate(spec("trailing.h5", "fastmri", 12, 12, 1, 1), "trailing");
        for (String f : new String[] {"train/ground_truth.npy", "train/coil_maps.npy", "test/measurements.npy"}) {
            assertArrayEquals(Files.readAllBytes(a.dir().resolve(f)), Files.readAllBytes(b.dir().resolve(f)), f);
        }
    }

    /** MoDL: images, maps and masks come from the file; masks are fftshift-ed to the centred layout. */
    @Test
    void modlLayoutProvidesMapsAndCentredMasks() throws Exception {
        fixture("modl_tiny.h5");
        NodeInput in = simulate(spec("modl_tiny.h5", "modl", 12, 12, 2, 1), "run");
        SimulatedSplit train = SimulatedData.load(in, "train");
        double[] mask = HostArrays.toDouble(train.perExample("mask", 1, 2));
        double[] maps = HostArrays.toDouble(train.perExample("coil_maps", 1, 2));
        double[] x = HostArrays.toDouble(train.groundTruth(1, 2));
        double[] fileMask;
        double[] fileMaps;
        double[] fileX;
        try (Hdf5Reader r = new Hdf5Reader(Path.of("src/test/resources/hdf5/modl_tiny.h5"), "test")) {
            fileMask = r.real("trnMask", "", 1, 1);
            fileMaps = r.complex("trnCsm", "", 1, 1);
            fileX = r.complex("trnOrg", "", 1, 1);
        }
        for (int i = 0; i < 12; i++) {
            for (int j = 0; j < 12; j++) {
                // fftshift: centred[i][j] = file[(i + 6) % 12][(j + 6) % 12]
                assertEquals(fileMask[((i + 6) % 12) * 12 + (j + 6) % 12], mask[i * 12 + j], 0, "mask at " + i + "," + j);
            }
        }
        // maps: file [2 (re/im), coils, H, W] → stored [coils, 2, H, W], float32 both ways: exact
        for (int c = 0; c < 2; c++) {
            for (int p = 0; p < 144; p++) {
                assertEquals(fileMaps[c * 144 + p], maps[c * 288 + p], 0);
                assertEquals(fileMaps[288 + c * 144 + p], maps[c * 288 + 144 + p], 0);
            }
        }
        double max = 0;
        for (int p = 0; p < 144; p++) {
            max = Math.max(max, Math.hypot(fileX[p], fileX[144 + p]));
        }
        for (int p = 0; p < 288; p++) {
            assertEquals(fileX[p] / max, x[p], 1e-6, "ground truth = trnOrg / max |trnOrg|");
        }
    }

    @Test
    void fileWithoutTheExpectedDatasetsIsRejectedNamingFileAndDataset() throws Exception {
        try (WritableHdfFile f = HdfFile.write(tmp.resolve("other.h5"))) {
            f.putDataset("images", new float[2][4][4]);
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> simulate(spec("other.h5", "fastmri", 8, 8, 1, 1), "run"));
        assertTrue(e.getMessage().contains("other.h5") && e.getMessage().contains("'kspace'")
                && e.getMessage().contains("source.layout fastmri") && e.getMessage().contains("images"), e.getMessage());
        var m = assertThrows(IllegalArgumentException.class,
                () -> simulate(spec("other.h5", "modl", 8, 8, 1, 1), "run2"));
        assertTrue(m.getMessage().contains("'trnOrg'") && m.getMessage().contains("source.layout modl"), m.getMessage());
    }

    @Test
    void sizeOrCountTheFileCannotServeIsRejected() throws Exception {
        fixture("modl_tiny.h5");
        var e = assertThrows(IllegalArgumentException.class, () -> simulate(spec("modl_tiny.h5", "modl", 16, 16, 1, 1), "a"));
        assertTrue(e.getMessage().contains("size") && e.getMessage().contains("[12, 12]"), e.getMessage());
        fixture("fastmri_tiny.h5");
        var f = assertThrows(IllegalArgumentException.class, () -> simulate(spec("fastmri_tiny.h5", "fastmri", 12, 12, 2, 1), "b"));
        assertTrue(f.getMessage().contains("2 slices"), f.getMessage());
    }

    @Test
    void dataWithNonFiniteValuesAreRefusedWithFileAndCount() throws Exception {
        float[][][][][] data = new float[2][2][16][12][2];
        for (float[][][][] slice : data) {
            for (float[][][] coil : slice) {
                for (float[][] row : coil) {
                    for (float[] v : row) {
                        v[0] = 1;
                    }
                }
            }
        }
        data[0][1][3][4][0] = Float.NaN;
        data[0][0][0][0][1] = Float.POSITIVE_INFINITY;
        try (WritableHdfFile f = HdfFile.write(tmp.resolve("nan.h5"))) {
            f.putDataset("kspace", data);
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> simulate(spec("nan.h5", "fastmri", 12, 12, 1, 1), "nan"));
        assertTrue(e.getMessage().contains("nan.h5") && e.getMessage().contains("'kspace'")
                && e.getMessage().contains(" 2 NaN or infinite values"), e.getMessage());
    }
}
