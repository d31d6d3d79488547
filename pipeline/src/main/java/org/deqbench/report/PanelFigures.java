package org.deqbench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.DoubleUnaryOperator;
import org.deqbench.metrics.SampleSummary;

/**
 * Figures made of small panels with axes laid out for reading rather than by a generic plotting
 * library: the attack sweep as one panel per method (every ε a labelled tick on a logarithmic
 * axis, the certified bound as a horizontal line) and the method comparison (mean PSNR and SSIM
 * with their 95 % intervals, one row per method). Tick labels are chosen so that neighbours never
 * read the same and never overlap; a constant series gets a small range around its value.
 */
public final class PanelFigures {
    static final int PANEL_W = 330;
    static final int PANEL_H = 250;
    private static final int LEFT = 62;
    private static final int RIGHT = 14;
    private static final int TOP = 28;
    private static final int BOTTOM = 44;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 14);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);
    private static final Font AXIS = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    private static final Color GRID = new Color(0xE4E4E4);
    private static final Color FRAME = new Color(0xBBBBBB);
    private static final Stroke SOLID = new BasicStroke(2f);
    private static final Stroke DASHED = new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {7f, 5f}, 0f);
    private static final Stroke DOTTED = new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, new float[] {1f, 5f}, 0f);

    private PanelFigures() {
    }

    /** A numeric axis: its range, whether it is logarithmic, and its tick positions. */
    record Axis(double min, double max, boolean log, List<Double> ticks) {
        double frac(double v) {
            return log ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : (v - min) / (max - min);
        }
    }

    /**
     * Attack amplification against ε, one panel per method (methods in the order given, colour by
     * the key): worst perturbation found (solid, circles), Gaussian noise of the same norm (dashed,
     * squares) and the certified bound (dotted horizontal line) when the method has one. Every ε of
     * the sweep is a labelled tick of the logarithmic ε axis.
     */
    public static BufferedImage attack(String task, Map<Integer, MethodResults> methods) {
        int n = methods.size();
        int cols = Math.min(3, n);
        int rows = (n + cols - 1) / cols;
        int header = 58;
        BufferedImage img = new BufferedImage(cols * PANEL_W, header + rows * PANEL_H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        g.setFont(TITLE);
        g.setColor(Color.DARK_GRAY);
        g.drawString("Perturbation amplification ‖Δx‖ / ‖δ‖ against ε = ‖δ‖ / ‖b‖ — " + task, 10, 20);
        legend(g, 10, 42);
        int i = 0;
        for (Map.Entry<Integer, MethodResults> e : methods.entrySet()) {
            int x0 = (i % cols) * PANEL_W;
            int y0 = header + (i / cols) * PANEL_H;
            attackPanel(g, x0, y0, e.getValue(), ReportCharts.colour(e.getKey()));
            i++;
        }
        g.dispose();
        return img;
    }

    private static void legend(Graphics2D g, int x, int y) {
        g.setFont(LABEL);
        String[] names = {"worst case found", "Gaussian noise, same norm", "certified bound"};
        Stroke[] strokes = {SOLID, DASHED, DOTTED};
        for (int k = 0; k < names.length; k++) {
            g.setColor(Color.DARK_GRAY);
            g.setStroke(strokes[k]);
            g.draw(new Line2D.Double(x, y - 4, x + 30, y - 4));
            g.drawString(names[k], x + 36, y);
            x += 46 + g.getFontMetrics().stringWidth(names[k]);
        }
    }

    private static void attackPanel(Graphics2D g, int x0, int y0, MethodResults r, Color colour) {
        List<AttackPoint> pts = r.attack().stream().filter(p -> p.eps() > 0).toList();
        TreeSet<Double> eps = new TreeSet<>();
        List<Double> ys = new ArrayList<>();
        for (AttackPoint p : pts) {
            eps.add(p.eps());
            for (Double v : new Double[] {p.amplificationWorst(), p.amplificationGaussian(), p.certifiedBound()}) {
                if (v != null && Double.isFinite(v)) {
                    ys.add(v);
                }
            }
        }
        Double bound = r.attack().stream().map(AttackPoint::certifiedBound).filter(b -> b != null && Double.isFinite(b))
                .findFirst().orElse(r.certificate().amplificationBound());
        if (bound != null && Double.isFinite(bound)) {
            ys.add(bound);
        }
        g.setFont(TITLE);
        g.setColor(colour);
        g.drawString(r.method(), x0 + LEFT, y0 + 18);
        if (eps.isEmpty() || ys.isEmpty()) {
            g.setFont(LABEL);
            g.setColor(Color.GRAY);
            g.drawString("no attack results", x0 + LEFT + 10, y0 + PANEL_H / 2);
            return;
        }
        double lo = eps.first();
        double hi = eps.last();
        Axis xa = lo == hi ? new Axis(lo / 2, hi * 2, true, List.copyOf(eps))
                : new Axis(Math.pow(10, Math.log10(lo) - 0.08 * Math.log10(hi / lo)),
                        Math.pow(10, Math.log10(hi) + 0.08 * Math.log10(hi / lo)), true, List.copyOf(eps));
        Axis ya = valueAxis(ys);
        int px = x0 + LEFT;
        int py = y0 + TOP;
        int pw = PANEL_W - LEFT - RIGHT;
        int ph = PANEL_H - TOP - BOTTOM;
        frame(g, xa, ya, px, py, pw, ph, "ε", "‖Δx‖ / ‖δ‖");
        DoubleUnaryOperator sx = v -> px + xa.frac(v) * pw;
        DoubleUnaryOperator sy = v -> py + ph - ya.frac(v) * ph;
        g.setClip(px, py, pw + 1, ph + 1);
        if (bound != null && Double.isFinite(bound)) {
            g.setColor(colour);
            g.setStroke(DOTTED);
            double y = sy.applyAsDouble(bound);
            g.draw(new Line2D.Double(px, y, px + pw, y));
        }
        series(g, pts.stream().filter(p -> p.amplificationWorst() != null).toList(), AttackPoint::amplificationWorst,
                sx, sy, colour, SOLID, false);
        series(g, pts.stream().filter(p -> p.amplificationGaussian() != null).toList(), AttackPoint::amplificationGaussian,
                sx, sy, colour, DASHED, true);
        g.setClip(null);
    }

    private static void series(Graphics2D g, List<AttackPoint> pts, java.util.function.Function<AttackPoint, Double> y,
                               DoubleUnaryOperator sx, DoubleUnaryOperator sy, Color c, Stroke stroke, boolean square) {
        if (pts.isEmpty()) {
            return;
        }
        g.setColor(c);
        g.setStroke(stroke);
        Path2D path = new Path2D.Double();
        for (int k = 0; k < pts.size(); k++) {
            double x = sx.applyAsDouble(pts.get(k).eps());
            double v = sy.applyAsDouble(y.apply(pts.get(k)));
            if (k == 0) {
                path.moveTo(x, v);
            } else {
                path.lineTo(x, v);
            }
        }
        g.draw(path);
        for (AttackPoint p : pts) {
            int x = (int) Math.round(sx.applyAsDouble(p.eps()));
            int v = (int) Math.round(sy.applyAsDouble(y.apply(p)));
            if (square) {
                g.fillRect(x - 3, v - 3, 7, 7);
            } else {
                g.fillOval(x - 4, v - 4, 8, 8);
            }
        }
    }

    /**
     * Mean PSNR and SSIM per method with their 95 % intervals (clipped to the metric's range), one
     * row per method, the best mean marked; methods without scores are left out.
     */
    public static BufferedImage comparison(String task, List<MethodResults> methods, Map<String, Integer> colours) {
        List<MethodResults> scored = methods.stream().filter(r -> Double.isFinite(r.psnr().mean())).toList();
        int rowH = 26;
        int labelW = 130;
        int w = 2 * PANEL_W + labelW;
        int plotH = Math.max(1, scored.size()) * rowH;
        int h = 40 + plotH + BOTTOM + 6;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(img);
        g.setFont(TITLE);
        g.setColor(Color.DARK_GRAY);
        g.drawString("Reconstruction quality, mean and 95 % interval — " + task, 10, 20);
        g.setFont(AXIS);
        for (int k = 0; k < scored.size(); k++) {
            MethodResults r = scored.get(k);
            g.setColor(ReportCharts.colour(colours.getOrDefault(r.method(), k)));
            FontMetrics fm = g.getFontMetrics();
            String name = fit(r.method(), fm, labelW - 14);
            g.drawString(name, labelW - 8 - fm.stringWidth(name), 40 + k * rowH + rowH / 2 + 5);
        }
        int x = labelW;
        for (Metric m : new Metric[] {Metric.PSNR, Metric.SSIM}) {
            List<Double> vals = new ArrayList<>();
            for (MethodResults r : scored) {
                SampleSummary s = r.summary(m);
                for (double v : new double[] {s.mean(), s.lower(), s.upper()}) {
                    if (Double.isFinite(v)) {
                        vals.add(v);
                    }
                }
            }
            int px = x + 10;
            int pw = PANEL_W - 30;
            int py = 40;
            if (vals.isEmpty()) {
                x += PANEL_W;
                continue;
            }
            Axis xa = linearAxis(vals, m == Metric.SSIM ? 1.0 : Double.POSITIVE_INFINITY);
            double bestMean = scored.stream().mapToDouble(r -> r.summary(m).mean()).filter(Double::isFinite)
                    .max().orElse(Double.NaN);
            g.setStroke(new BasicStroke(1f));
            g.setColor(FRAME);
            g.drawRect(px, py, pw, plotH);
            g.setFont(LABEL);
            FontMetrics fm = g.getFontMetrics();
            List<String> labels = labels(xa.ticks());
            for (int k = 0; k < xa.ticks().size(); k++) {
                double tx = px + xa.frac(xa.ticks().get(k)) * pw;
                g.setColor(GRID);
                g.draw(new Line2D.Double(tx, py, tx, py + plotH));
                g.setColor(Color.DARK_GRAY);
                g.drawString(labels.get(k), (float) (tx - fm.stringWidth(labels.get(k)) / 2.0), py + plotH + 15);
            }
            g.setFont(AXIS);
            String title = m == Metric.PSNR ? "PSNR (dB) ↑" : "SSIM ↑";
            g.drawString(title, px + pw / 2 - g.getFontMetrics().stringWidth(title) / 2, py + plotH + 34);
            for (int k = 0; k < scored.size(); k++) {
                MethodResults r = scored.get(k);
                SampleSummary s = r.summary(m);
                double cy = py + k * rowH + rowH / 2.0;
                g.setColor(ReportCharts.colour(colours.getOrDefault(r.method(), k)));
                g.setStroke(SOLID);
                if (Double.isFinite(s.lower()) && Double.isFinite(s.upper())) {
                    double a = px + xa.frac(s.lower()) * pw;
                    double b = px + xa.frac(s.upper()) * pw;
                    g.draw(new Line2D.Double(a, cy, b, cy));
                    g.draw(new Line2D.Double(a, cy - 5, a, cy + 5));
                    g.draw(new Line2D.Double(b, cy - 5, b, cy + 5));
                }
                if (Double.isFinite(s.mean())) {
                    int cx = (int) Math.round(px + xa.frac(s.mean()) * pw);
                    int rad = s.mean() == bestMean ? 6 : 4;
                    g.fillOval(cx - rad, (int) Math.round(cy) - rad, 2 * rad, 2 * rad);
                }
            }
            x += PANEL_W;
        }
        g.dispose();
        return img;
    }

    private static String fit(String s, FontMetrics fm, int width) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String t = s;
        while (t.length() > 1 && fm.stringWidth(t + "…") > width) {
            t = t.substring(0, t.length() - 1);
        }
        return t + "…";
    }

    private static void frame(Graphics2D g, Axis xa, Axis ya, int px, int py, int pw, int ph, String xTitle, String yTitle) {
        g.setFont(LABEL);
        FontMetrics fm = g.getFontMetrics();
        List<String> yl = labels(ya.ticks());
        for (int k = 0; k < ya.ticks().size(); k++) {
            double ty = py + ph - ya.frac(ya.ticks().get(k)) * ph;
            g.setColor(GRID);
            g.setStroke(new BasicStroke(1f));
            g.draw(new Line2D.Double(px, ty, px + pw, ty));
            g.setColor(Color.DARK_GRAY);
            g.drawString(yl.get(k), px - 6 - fm.stringWidth(yl.get(k)), (float) (ty + fm.getAscent() / 2.0 - 1));
        }
        List<String> xl = labels(xa.ticks());
        double lastRight = Double.NEGATIVE_INFINITY;
        int row = 0;
        for (int k = 0; k < xa.ticks().size(); k++) {
            double tx = px + xa.frac(xa.ticks().get(k)) * pw;
            g.setColor(GRID);
            g.draw(new Line2D.Double(tx, py, tx, py + ph));
            g.setColor(Color.DARK_GRAY);
            int lw = fm.stringWidth(xl.get(k));
            double left = tx - lw / 2.0;
            row = left < lastRight + 4 ? 1 - row : 0; // stagger a label that would touch its neighbour
            g.drawString(xl.get(k), (float) left, py + ph + 14 + row * 12);
            if (row == 0) {
                lastRight = left + lw;
            }
        }
        g.setColor(FRAME);
        g.drawRect(px, py, pw, ph);
        g.setColor(Color.DARK_GRAY);
        g.setFont(AXIS);
        g.drawString(xTitle, px + pw / 2, py + ph + 40);
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(yTitle, -(py + ph / 2 + r.getFontMetrics().stringWidth(yTitle) / 2), px - LEFT + 14);
        r.dispose();
    }

    /**
     * An axis for positive or arbitrary values: logarithmic when every value is positive and they
     * span more than a factor of 20, else linear; a constant series gets ±10 % around its value.
     */
    static Axis valueAxis(List<Double> values) {
        double lo = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (lo > 0 && hi / lo > 20) {
            double a = Math.floor(Math.log10(lo));
            double b = Math.ceil(Math.log10(hi));
            List<Double> ticks = new ArrayList<>();
            for (int e = (int) a; e <= (int) b; e++) {
                ticks.add(Math.pow(10, e));
            }
            return new Axis(Math.pow(10, a), Math.pow(10, b), true, ticks);
        }
        return linearAxis(values, Double.POSITIVE_INFINITY);
    }

    /** A linear axis over the values with 3–7 round ticks, capped above at {@code cap}. */
    static Axis linearAxis(List<Double> values, double cap) {
        double lo = values.stream().mapToDouble(Double::doubleValue).min().orElse(0);
        double hi = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
        if (hi - lo <= 1e-9 * Math.max(Math.abs(hi), 1e-300)) {
            double pad = hi == 0 ? 1 : 0.1 * Math.abs(hi);
            lo -= pad;
            hi += pad;
        }
        double step = niceStep((hi - lo) / 5);
        double min = Math.floor(lo / step) * step;
        double max = Math.min(Math.ceil(hi / step) * step, Math.max(cap, hi));
        if (max <= hi - 1e-12 * Math.abs(hi)) {
            max = hi;
        }
        List<Double> ticks = new ArrayList<>();
        for (double t = min; t <= max + step * 1e-9; t += step) {
            ticks.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
        }
        return new Axis(min, max, false, ticks);
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / pow;
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
    }

    /**
     * Tick labels with the fewest significant digits (up to 6) that keep neighbouring labels
     * distinct, in plain notation between 1e-4 and 1e6 and as 1e-5 / 2.5e7 beyond.
     */
    static List<String> labels(List<Double> ticks) {
        for (int digits = 1; digits <= 6; digits++) {
            List<String> out = new ArrayList<>();
            for (double t : ticks) {
                out.add(label(t, digits));
            }
            if (new TreeSet<>(out).size() == out.size()) {
                return out;
            }
        }
        return ticks.stream().map(t -> label(t, 7)).toList();
    }

    static String label(double v, int digits) {
        if (v == 0) {
            return "0";
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(digits)).stripTrailingZeros();
        double a = Math.abs(v);
        if (a >= 1e-4 && a < 1e6) {
            return d.toPlainString();
        }
        String s = String.format(java.util.Locale.ROOT, "%." + (digits - 1) + "e", v);
        String[] parts = s.split("e");
        String mant = parts[0].contains(".") ? parts[0].replaceAll("0+$", "").replaceAll("\\.$", "") : parts[0];
        return mant + "e" + Integer.parseInt(parts[1]);
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        return g;
    }
}
