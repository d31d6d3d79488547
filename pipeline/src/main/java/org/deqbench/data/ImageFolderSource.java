package org.deqbench.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deqbench.physics.ForwardModels;
import org.deqbench.physics.Seeds;
import org.deqbench.spec.TaskSpec;

/**
 * Ground truth from a folder of images (PNG, TIFF, JPEG, BMP, GIF — whatever {@link ImageIO}
 * reads; Java 17 reads TIFF). Files are taken in name order, or with {@code source.order: shuffle}
 * in a random order seeded by the experiment seed ({@link #shuffled}): the first {@code train} for
 * the training split (whose last eighth the trainer holds out for validation), the next
 * {@code test} for the test split.
 *
 * <p>Each image becomes grayscale (a single band as is, scaled by its bit depth; colour as
 * luminance 0.299 R + 0.587 G + 0.114 B), is centre-cropped to the task's aspect ratio and resized
 * to the task size (area averaging when shrinking, bilinear when enlarging, separably), then
 * scaled to max 1. MRI problems multiply it by a smooth random phase from the stream
 * (task, split, "phase", index), as {@link Phantoms} do.
 */
final class ImageFolderSource implements GroundTruthSource {
    private final TaskSpec task;
    private final Path folder;
    private final long seed;
    private final List<Path> files;

    ImageFolderSource(TaskSpec task, Path folder, long seed) {
        this.task = task;
        this.folder = folder;
        this.seed = seed;
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("task '" + task.name() + "': source.path " + folder + " is not a folder");
        }
        try (Stream<Path> s = Files.list(folder)) {
            List<Path> sorted = s.filter(Files::isRegularFile).filter(ImageFolderSource::hasReader).sorted().toList();
            this.files = task.source().shuffled() ? shuffled(sorted, seed) : sorted;
        } catch (IOException e) {
            throw new IllegalArgumentException("task '" + task.name() + "': cannot list source.path " + folder
                    + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("task '" + task.name() + "': source.path " + folder
                    + " holds no readable image; expected files with one of the suffixes "
                    + List.of(ImageIO.getReaderFileSuffixes()));
        }
        int needed = task.train() + task.test();
        if (files.size() < needed) {
            throw new IllegalArgumentException("task '" + task.name() + "': source.path " + folder + " holds "
                    + files.size() + " images; train + test = " + needed + " are needed");
        }
    }

    /**
     * The files in a random order drawn from the experiment seed and the number of files alone
     * (Fisher–Yates), so that every task reading the same folder splits it alike; the shuffle
     * starts from name order, so the order does not depend on how the file system lists them.
     */
    static List<Path> shuffled(List<Path> sorted, long seed) {
        List<Path> out = new java.util.ArrayList<>(sorted);
        java.util.Collections.shuffle(out, Seeds.random(seed, "images", "shuffle", sorted.size()));
        return List.copyOf(out);
    }

    private static boolean hasReader(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 && ImageIO.getImageReadersBySuffix(n.substring(dot + 1).toLowerCase(Locale.ROOT)).hasNext();
    }

    @Override
    public Example example(String split, int index) {
        Path file = files.get(GroundTruthSource.position(task, split, index));
        Gray gray = read(file);
        int h = task.height();
        int w = task.width();
        double[] img = resize(gray.values(), gray.h(), gray.w(), h, w);
        double max = 0;
        for (double v : img) {
            max = Math.max(max, v);
        }
        if (max > 0) {
            for (int i = 0; i < img.length; i++) {
                img[i] /= max;
            }
        }
        if (task.problem().complex()) {
            img = Phantoms.withRandomPhase(img, h, w, Seeds.random(seed, task.name(), split, "phase", index));
        }
        return new Example(img, Map.of());
    }

    /** A grayscale image {@code [h, w]}. */
    private record Gray(double[] values, int h, int w) {
    }

    /** Grayscale values of {@code file} in [0, 1] (integer formats) or as stored (floating-point TIFF). */
    private Gray read(Path file) {
        BufferedImage im;
        try {
            im = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("task '" + task.name() + "': cannot read image " + file + ": " + e.getMessage(), e);
        }
        if (im == null) {
            throw new IllegalArgumentException("task '" + task.name() + "': " + file + " is not an image ImageIO can decode");
        }
        int h = im.getHeight();
        int w = im.getWidth();
        double[] out = new double[h * w];
        Raster r = im.getRaster();
        if (r.getNumBands() == 1) {
            int bits = im.getColorModel().getComponentSize(0);
            boolean floating = r.getTransferType() == java.awt.image.DataBuffer.TYPE_FLOAT
                    || r.getTransferType() == java.awt.image.DataBuffer.TYPE_DOUBLE;
            double scale = floating ? 1 : 1.0 / ((1L << bits) - 1);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    out[y * w + x] = r.getSampleDouble(x, y, 0) * scale;
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int rgb = im.getRGB(x, y);
                    out[y * w + x] = (0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff)) / 255;
                }
            }
        }
        return new Gray(out, h, w);
    }

    /** Centre-crops {@code img [h0, w0]} to the aspect ratio of [h, w], then resizes to [h, w]. */
    static double[] resize(double[] img, int h0, int w0, int h, int w) {
        int ch = h0;
        int cw = w0;
        if ((long) h0 * w > (long) w0 * h) {
            ch = Math.max(1, (int) Math.round((double) w0 * h / w));
        } else {
            cw = Math.max(1, (int) Math.round((double) h0 * w / h));
        }
        int r0 = (h0 - ch) / 2;
        int c0 = (w0 - cw) / 2;
        double[] rows = new double[ch * w];
        double[] line = new double[cw];
        for (int r = 0; r < ch; r++) {
            System.arraycopy(img, (r0 + r) * w0 + c0, line, 0, cw);
            System.arraycopy(resample(line, w), 0, rows, r * w, w);
        }
        double[] out = new double[h * w];
        double[] col = new double[ch];
        for (int c = 0; c < w; c++) {
            for (int r = 0; r < ch; r++) {
                col[r] = rows[r * w + c];
            }
            double[] res = resample(col, h);
            for (int r = 0; r < h; r++) {
                out[r * w + c] = res[r];
            }
        }
        return out;
    }

    /** 1D resampling to m samples: area averaging if m ≤ n (no aliasing), linear interpolation otherwise. */
    static double[] resample(double[] in, int m) {
        int n = in.length;
        double[] out = new double[m];
        if (m == n) {
            return in.clone();
        }
        if (m < n) {
            double step = (double) n / m;
            for (int i = 0; i < m; i++) {
                double a = i * step;
                double b = a + step;
                double sum = 0;
                for (int j = (int) Math.floor(a); j < Math.min(n, (int) Math.ceil(b)); j++) {
                    double overlap = Math.min(b, j + 1) - Math.max(a, j);
                    sum += overlap * in[j];
                }
                out[i] = sum / step;
            }
        } else {
            for (int i = 0; i < m; i++) {
                double x = Math.max(0, Math.min(n - 1, (i + 0.5) * n / m - 0.5));
                int j = Math.min(n - 2, (int) Math.floor(x));
                if (n == 1) {
                    out[i] = in[0];
                    continue;
                }
                double t = x - j;
                out[i] = (1 - t) * in[j] + t * in[j + 1];
            }
        }
        return out;
    }

    @Override
    public Set<String> providedParameters() {
        return Set.of();
    }

    @Override
    public int coils() {
        return ForwardModels.coils(task);
    }

    @Override
    public String describe() {
        return "grayscale images from " + folder + " (" + (task.source().shuffled() ? "seeded shuffle" : "name order")
                + "; train first), centre-cropped and resized to "
                + task.height() + "x" + task.width() + (task.problem().complex() ? ", times a smooth random phase" : "");
    }
}
