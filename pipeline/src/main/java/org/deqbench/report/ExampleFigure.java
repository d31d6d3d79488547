package org.deqbench.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deqbench.metrics.ImageScores;
import org.deqbench.metrics.MagnitudeImage;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A grid of example reconstructions for one task, drawn with {@code java.awt}: for each example
 * test image, a row of magnitude images (ground truth, then every method) and below it a row of
 * error maps |e| = | |x̂| − |x| |.
 *
 * <p>Scales, stated in the figure: magnitude images in grey from 0 (black) to the ground truth's
 * maximum (white), reconstructions clipped to that range; error maps in {@link Colormap#ERROR} from
 * 0 to s (see {@link #errorScale}: the median over methods of each method's 99th error percentile on
 * that example; larger errors saturate), drawn as a colour bar under the ground truth.
 * Each reconstruction is captioned with its PSNR and SSIM on that image ({@link ImageScores}). For
 * time series and volumes the middle frame (index T/2) is shown; the scores cover all frames.
 */
public final class ExampleFigure {
    /** Error-scale percentile. */
    static final double ERROR_PERCENTILE = 0.99;
    private static final int GAP = 10;
    private static final int LEFT = 86;
    private static final int HEADER = 24;
    private static final int CAPTION = 20;
    private static final int MIN_COLUMN = 150;
    private static final Color TEXT = new Color(0x22, 0x22, 0x22);
    private static final Color MUTED = new Color(0x66, 0x66, 0x66);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 13);
    private static final Font SMALL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    /** One method's reconstructions of the test split {@code [N, C, (T,) H, W]}, or null if missing. */
    public record Column(String method, INDArray reconstructions) {
    }

    private ExampleFigure() {
    }

    /**
     * Draws the grid.
     *
     * @param groundTruth test ground truth {@code [N, C, H, W]} or {@code [N, C, T, H, W]}
     * @param columns     methods in display order
     * @param examples    number of test images shown (the first ones); clipped to N
     */
    public static BufferedImage render(INDArray groundTruth, List<Column> columns, int examples) {
        int n = (int) Math.min(examples, groundTruth.size(0));
        if (n < 1) {
            throw new IllegalArgumentException("no example images to draw (examples = " + examples
                    + ", test images = " + groundTruth.size(0) + ")");
        }
        MagnitudeImage probe = MagnitudeImage.of(groundTruth.get(NDArrayIndex.point(0)));
        int h = probe.height();
        int w = probe.width();
        int frame = probe.frames() / 2;
        double scale = displayScale(h, w);
        int pw = (int) Math.round(w * scale);
        int ph = (int) Math.round(h * scale);
        int colW = Math.max(pw, MIN_COLUMN);
        int cols = columns.size() + 1;
        int blockH = HEADER + ph + CAPTION + ph + CAPTION + GAP;
        int width = LEFT + cols * colW + (cols - 1) * GAP + GAP;
        int height = n * blockH + GAP;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            for (int e = 0; e < n; e++) {
                int y0 = GAP + e * blockH;
                drawExample(g, groundTruth, columns, e, frame, probe.frames(), y0, pw, ph, colW, scale);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void drawExample(Graphics2D g, INDArray groundTruth, List<Column> columns, int e, int frame,
                                    int frames, int y0, int pw, int ph, int colW, double scale) {
        MagnitudeImage gt = MagnitudeImage.of(groundTruth.get(NDArrayIndex.point(e)));
        double[] x = gt.frame(frame);
        double max = Arrays.stream(x).max().orElse(1);
        double window = max > 0 ? max : 1;
        List<double[]> errors = new ArrayList<>();
        List<MagnitudeImage> recons = new ArrayList<>();
        for (Column c : columns) {
            MagnitudeImage r = reconstruction(c, e, gt);
            recons.add(r);
            if (r != null) {
                double[] y = r.frame(frame);
                double[] err = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    err[i] = Math.abs(y[i] - x[i]);
                }
                errors.add(err);
            } else {
                errors.add(null);
            }
        }
        double s = errorScale(errors);
        int yImg = y0 + HEADER;
        int yErr = yImg + ph + CAPTION;

        g.setColor(TEXT);
        g.setFont(TITLE);
        g.drawString("test #" + e, 4, yImg + 14);
        g.setFont(SMALL);
        g.setColor(MUTED);
        if (frames > 1) {
            g.drawString("frame " + (frame + 1) + " of " + frames, 4, yImg + 32);
        }
        g.drawString("|error|", 4, yErr + 14);

        int cx = LEFT;
        centred(g, TITLE, TEXT, "ground truth", cx, colW, y0 + 17);
        drawPanel(g, toImage(x, gt.height(), gt.width(), 0, window, Colormap.GRAY), cx + (colW - pw) / 2, yImg, pw, ph, scale);
        centred(g, SMALL, MUTED, "grey 0 … " + number(window), cx, colW, yImg + ph + 15);
        drawColourBar(g, cx + (colW - pw) / 2, yErr, pw, ph, s, window);

        for (int k = 0; k < columns.size(); k++) {
            cx = LEFT + (k + 1) * (colW + GAP);
            Column c = columns.get(k);
            centred(g, TITLE, TEXT, c.method(), cx, colW, y0 + 17);
            MagnitudeImage r = recons.get(k);
            int px = cx + (colW - pw) / 2;
            if (r == null) {
                missing(g, px, yImg, pw, ph);
                missing(g, px, yErr, pw, ph);
                continue;
            }
            drawPanel(g, toImage(r.frame(frame), gt.height(), gt.width(), 0, window, Colormap.GRAY), px, yImg, pw, ph, scale);
            ImageScores sc = ImageScores.of(gt, r);
            centred(g, SMALL, MUTED, String.format(Locale.ROOT, "%.2f dB · SSIM %.3f", sc.psnr(), sc.ssim()),
                    cx, colW, yImg + ph + 15);
            drawPanel(g, toImage(errors.get(k), gt.height(), gt.width(), 0, s, Colormap.ERROR), px, yErr, pw, ph, scale);
        }
    }

    /** Example {@code e} of a method's reconstructions, or null when missing or of another shape. */
    private static MagnitudeImage reconstruction(Column c, int e, MagnitudeImage gt) {
        if (c.reconstructions() == null || c.reconstructions().size(0) <= e) {
            return null;
        }
        MagnitudeImage r = MagnitudeImage.of(c.reconstructions().get(NDArrayIndex.point(e)));
        if (r.frames() != gt.frames() || r.height() != gt.height() || r.width() != gt.width()) {
            return null;
        }
        return r;
    }

    /**
     * The error-map scale s: the median over methods of each method's {@link #ERROR_PERCENTILE}
     * quantile of |e| (the upper median for an even count). One shared scale keeps the maps
     * comparable; taking the median rather than the worst method keeps good methods' errors
     * visible while a much worse one (zero-filled) saturates.
     */
    static double errorScale(List<double[]> errors) {
        double[] perMethod = errors.stream().filter(a -> a != null && a.length > 0)
                .mapToDouble(a -> quantile(a, ERROR_PERCENTILE)).sorted().toArray();
        if (perMethod.length == 0) {
            return 1;
        }
        double s = perMethod[perMethod.length / 2];
        if (s > 0) {
            return s;
        }
        double max = errors.stream().filter(a -> a != null).flatMapToDouble(Arrays::stream).max().orElse(0);
        return max > 0 ? max : 1;
    }

    private static double quantile(double[] values, double q) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[(int) Math.floor(q * (v.length - 1))];
    }

    /** Integer upscaling of small images (nearest neighbour keeps pixels visible), shrinking of large ones. */
    static double displayScale(int h, int w) {
        int m = Math.max(h, w);
        if (m < 160) {
            return Math.ceil(160.0 / m);
        }
        return m > 320 ? 320.0 / m : 1;
    }

    private static BufferedImage toImage(double[] v, int h, int w, double lo, double hi, Colormap map) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        double span = hi - lo;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, map.rgb((v[y * w + x] - lo) / span));
            }
        }
        return img;
    }

    private static void drawPanel(Graphics2D g, BufferedImage img, int x, int y, int pw, int ph, double scale) {
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, scale >= 1
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, x, y, pw, ph, null);
    }

    private static void drawColourBar(Graphics2D g, int x, int y, int pw, int ph, double s, double max) {
        int barW = Math.max(16, pw / 8);
        int barH = ph - 8;
        int bx = x + 6;
        for (int i = 0; i < barH; i++) {
            g.setColor(new Color(Colormap.ERROR.rgb(1 - i / (double) (barH - 1))));
            g.fillRect(bx, y + 4 + i, barW, 1);
        }
        g.setColor(MUTED);
        g.drawRect(bx, y + 4, barW, barH - 1);
        g.setFont(SMALL);
        g.setColor(TEXT);
        int tx = bx + barW + 6;
        g.drawString(number(s), tx, y + 16);
        g.drawString(String.format(Locale.ROOT, "(%.1f %% of max)", 100 * s / max), tx, y + 32);
        g.drawString("0", tx, y + ph - 6);
        g.setColor(MUTED);
        g.drawString("|error| scale", tx, y + ph / 2 + 4);
    }

    private static void missing(Graphics2D g, int x, int y, int pw, int ph) {
        g.setColor(new Color(0xEE, 0xEE, 0xEE));
        g.fillRect(x, y, pw, ph);
        centred(g, SMALL, MUTED, "no reconstruction", x, pw, y + ph / 2);
    }

    private static void centred(Graphics2D g, Font font, Color colour, String text, int x, int width, int baseline) {
        g.setFont(font);
        g.setColor(colour);
        FontMetrics fm = g.getFontMetrics();
        String t = text;
        while (fm.stringWidth(t) > width && t.length() > 2) {
            t = t.substring(0, t.length() - 2) + "…";
        }
        g.drawString(t, x + (width - fm.stringWidth(t)) / 2, baseline);
    }

    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 0.01 && a < 1e4 ? String.format(Locale.ROOT, "%.3g", v) : String.format(Locale.ROOT, "%.2e", v);
    }
}
