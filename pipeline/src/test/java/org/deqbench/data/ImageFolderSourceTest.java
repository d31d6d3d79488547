package org.deqbench.data;

import org.deqbench.stage.SimulateStage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.deqbench.physics.HostArrays;
import org.deqbench.plan.NodeExecutor;
import org.deqbench.plan.RunStore;
import org.deqbench.spec.SpecException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderSourceTest {
    @TempDir
    Path tmp;

    private Path spec(String problem, String folder) throws Exception {
        Path spec = tmp.resolve("spec.yaml");
        Files.writeString(spec, """
                name: images
                tasks:
                  - name: t
                    problem: %s
                    size: [8, 8]
                    train: 2
                    test: 1
                    source: {type: images, path: %s}
                methods:
                  - {name: zf, kind: zero-filled}
                """.formatted(problem, folder));
        return spec;
    }

    /** A 16x16 8-bit gray PNG whose 2x2 blocks are constant (value = 10·(row block) + col block). */
    private static BufferedImage blocks() {
        BufferedImage im = new BufferedImage(16, 16, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                im.getRaster().setSample(x, y, 0, 10 * (y / 2) + x / 2 + 1);
            }
        }
        return im;
    }

    /**
     * Images are read in name order (PNG, 16-bit TIFF and colour PNG alike), area-resized 16x16 →
     * 8x8 (exact on constant 2x2 blocks) and scaled to max 1 (float32 storage: 1e-6).
     */
    @Test
    void pngAndTiffImagesBecomeResizedGroundTruthInNameOrder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("imgs"));
        ImageIO.write(blocks(), "png", dir.resolve("a.png").toFile());
        BufferedImage tif = new BufferedImage(8, 8, BufferedImage.TYPE_USHORT_GRAY);
        tif.getRaster().setSample(3, 4, 0, 65535);
        tif.getRaster().setSample(1, 1, 0, 32768);
        assertTrue(ImageIO.write(tif, "tiff", dir.resolve("b.tif").toFile()), "Java 17 writes TIFF");
        BufferedImage rgb = new BufferedImage(10, 8, BufferedImage.TYPE_INT_RGB);
        rgb.setRGB(5, 4, 0x00ff00);
        ImageIO.write(rgb, "png", dir.resolve("c.png").toFile());
        Files.writeString(dir.resolve("notes.txt"), "not an image");
        NodeExecutor.run(new SimulateStage(), spec("denoise", "imgs"), tmp.resolve("run"), "t", null, false);
        var in = new RunStore(tmp.resolve("run")).input("simulate/t");
        double[] train = HostArrays.toDouble(SimulatedData.load(in, "train").groundTruth());
        double max = 10 * 7 + 7 + 1;
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                assertEquals((10 * y + x + 1) / max, train[y * 8 + x], 1e-6, "a.png at " + y + "," + x);
            }
        }
        assertEquals(1, train[64 + 4 * 8 + 3], 1e-6, "b.tif brightest pixel");
        assertEquals(32768 / 65535.0, train[64 + 8 + 1], 1e-6, "b.tif 16-bit scale");
        double[] test = HostArrays.toDouble(SimulatedData.load(in, "test").groundTruth());
        assertEquals(8 * 8, test.length);
        assertEquals(1, java.util.Arrays.stream(test).max().orElseThrow(), 1e-6, "c.png (centre-cropped 8x8) scaled to 1");
    }

    @Test
    void complexProblemsGetASmoothPhaseOnTheImageMagnitude() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("imgs"));
        for (String n : new String[] {"1.png", "2.png", "3.png"}) {
            ImageIO.write(blocks(), "png", dir.resolve(n).toFile());
        }
        NodeExecutor.run(new SimulateStage(), spec("single-coil-mri", "imgs"), tmp.resolve("run"), "t", null, false);
        double[] x = HostArrays.toDouble(SimulatedData.load(new RunStore(tmp.resolve("run")).input("simulate/t"), "train")
                .groundTruth(0, 1));
        double max = 78;
        for (int p = 0; p < 64; p++) {
            double mag = Math.hypot(x[p], x[64 + p]);
            assertEquals((10 * (p / 8) + p % 8 + 1) / max, mag, 1e-6, "magnitude is the image");
        }
        assertTrue(Math.abs(x[64 + 27]) > 1e-3, "a non-zero phase");
    }

    @Test
    void folderWithoutReadableImagesIsRejectedNamingTheKey() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(dir.resolve("readme.txt"), "nothing here");
        var e = assertThrows(SpecException.class,
                () -> NodeExecutor.run(new SimulateStage(), spec("denoise", "empty"), tmp.resolve("run"), "t", null, false));
        assertTrue(e.getMessage().contains("tasks[0].source.path") && e.getMessage().contains("at least one image"), e.getMessage());
        // a file with an image suffix that no decoder can read is reported by name when simulating
        Files.writeString(dir.resolve("broken.png"), "not a png");
        Files.writeString(dir.resolve("broken2.png"), "not a png");
        Files.writeString(dir.resolve("broken3.png"), "not a png");
        var f = assertThrows(IllegalArgumentException.class,
                () -> NodeExecutor.run(new SimulateStage(), spec("denoise", "empty"), tmp.resolve("run"), "t", null, false));
        assertTrue(f.getMessage().contains("broken.png"), f.getMessage());
    }

    @Test
    void tooFewImagesForTheSplitsIsRejected() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("imgs"));
        ImageIO.write(blocks(), "png", dir.resolve("a.png").toFile());
        var e = assertThrows(IllegalArgumentException.class,
                () -> NodeExecutor.run(new SimulateStage(), spec("denoise", "imgs"), tmp.resolve("run"), "t", null, false));
        assertTrue(e.getMessage().contains("1 images") && e.getMessage().contains("3 are needed"), e.getMessage());
    }

    /**
     * {@code source.order: shuffle}: six constant images (value k/6 in file k) are split 4 train /
     * 2 test in a seeded random order that is not name order, uses every file once, repeats for the
     * same seed, and is the same for two tasks reading the folder (so their test images agree).
     */
    @Test
    void shuffledOrderIsSeededAndSharedByTasksReadingTheSameFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("imgs"));
        for (int k = 1; k <= 6; k++) {
            BufferedImage im = new BufferedImage(8, 8, BufferedImage.TYPE_BYTE_GRAY);
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    im.getRaster().setSample(x, y, 0, 40 * k);
                }
            }
            // constant images are scaled to max 1; one brighter pixel keeps the file's identity
            im.getRaster().setSample(0, 0, 0, 255);
            ImageIO.write(im, "png", dir.resolve("img" + k + ".png").toFile());
        }
        Path spec = tmp.resolve("shuffle.yaml");
        Files.writeString(spec, """
                name: shuffled
                seed: 5
                tasks:
                  - {name: a, problem: denoise, size: [8, 8], train: 4, test: 2, source: {type: images, path: imgs, order: shuffle}}
                  - {name: b, problem: inpaint, size: [8, 8], train: 4, test: 2, source: {type: images, path: imgs, order: shuffle}}
                methods:
                  - {name: zf, kind: zero-filled}
                """);
        java.util.List<Integer> order = new java.util.ArrayList<>();
        for (String task : new String[] {"a", "b"}) {
            NodeExecutor.run(new SimulateStage(), spec, tmp.resolve("run"), task, null, false);
            var in = new RunStore(tmp.resolve("run")).input("simulate/" + task);
            java.util.List<Integer> files = new java.util.ArrayList<>();
            for (String split : new String[] {"train", "test"}) {
                double[] gt = HostArrays.toDouble(SimulatedData.load(in, split).groundTruth());
                for (int i = 0; i < gt.length / 64; i++) {
                    files.add((int) Math.round(gt[i * 64 + 1] * 255 / 40));
                }
            }
            if (order.isEmpty()) {
                order.addAll(files);
            } else {
                assertEquals(order, files, "task b splits the folder as task a does");
            }
        }
        assertEquals(java.util.List.of(1, 2, 3, 4, 5, 6), order.stream().sorted().toList(), "every file once");
        assertTrue(!order.equals(java.util.List.of(1, 2, 3, 4, 5, 6)), "not name order: " + order);
        java.util.List<Path> names = java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(k -> Path.of("img" + k)).toList();
        assertEquals(ImageFolderSource.shuffled(names, 5), ImageFolderSource.shuffled(names, 5), "same seed, same order");
        assertTrue(!ImageFolderSource.shuffled(names, 5).equals(ImageFolderSource.shuffled(names, 6)), "another seed, another order");
    }

    @Test
    void areaResizeAveragesAndBilinearEnlarges() {
        assertArrayEquals(new double[] {1.5, 3.5}, ImageFolderSource.resample(new double[] {1, 2, 3, 4}, 2), 1e-12);
        assertArrayEquals(new double[] {1, 1.25, 1.75, 2}, ImageFolderSource.resample(new double[] {1, 2}, 4), 1e-12);
    }
}
