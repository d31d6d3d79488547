package org.deqbench.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's line charts, drawn with XChart: training loss and validation PSNR per learned
 * method, and training memory against iterations ({@link PanelFigures} draws the attack panels and
 * the method comparison). A method keeps its colour in every chart ({@link #colour(int)}, by its position in
 * the spec).
 */
public final class ReportCharts {
    static final int WIDTH = 720;
    static final int HEIGHT = 420;
    /** Training charts are shown side by side, so they are narrower. */
    static final int PAIR_WIDTH = 540;
    static final int PAIR_HEIGHT = 360;
    private static final Color[] PALETTE = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

    /** One method's line: its name, its colour index, x and y. */
    public record Line(String method, int colour, double[] x, double[] y) {
    }

    private ReportCharts() {
    }

    /** The colour of the method at position {@code i} in the spec. */
    public static Color colour(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    /** Training loss against optimiser step, log scale when every loss is positive. */
    public static XYChart trainingLoss(String task, List<Line> lines) {
        XYChart chart = chart("Training loss — " + task, "step", "loss", PAIR_WIDTH, PAIR_HEIGHT);
        boolean positive = lines.stream().allMatch(l -> Arrays.stream(l.y()).allMatch(v -> v > 0));
        chart.getStyler().setYAxisLogarithmic(positive);
        // Decades only: XChart's in-between log ticks read 0.001, 9E-4, 8E-4, … and run together.
        chart.getStyler().setYAxisLogarithmicDecadeOnly(positive);
        readableY(chart, lines);
        thinLabels(chart, lines);
        for (Line l : lines) {
            XYSeries s = chart.addSeries(l.method(), l.x(), l.y());
            style(s, colour(l.colour()), SeriesLines.SOLID, l.x().length <= 30);
        }
        return chart;
    }

    /** Validation PSNR against epoch. */
    public static XYChart validationPsnr(String task, List<Line> lines) {
        XYChart chart = chart("Validation PSNR — " + task, "epoch", "PSNR (dB)", PAIR_WIDTH, PAIR_HEIGHT);
        readableY(chart, lines);
        thinLabels(chart, lines);
        for (Line l : lines) {
            style(chart.addSeries(l.method(), l.x(), l.y()), colour(l.colour()), SeriesLines.SOLID, true);
        }
        return chart;
    }

    /** Peak training memory (MiB) against iterations, one line per method. */
    public static XYChart memory(MemoryBenchmark bench, Map<String, Integer> colours) {
        XYChart chart = chart("Peak training memory vs iterations", "iterations", "peak memory (MiB)", WIDTH, HEIGHT);
        int next = colours.size();
        for (Map.Entry<String, List<MemoryBenchmark.Row>> e : bench.byMethod().entrySet()) {
            List<MemoryBenchmark.Row> rows = e.getValue().stream().filter(r -> r.peakBytes() != null).toList();
            if (rows.isEmpty()) {
                continue;
            }
            Integer ci = colours.get(e.getKey());
            Color c = colour(ci != null ? ci : next++);
            style(chart.addSeries(e.getKey(), rows.stream().mapToDouble(MemoryBenchmark.Row::iterations).toArray(),
                    rows.stream().mapToDouble(r -> r.peakBytes() / (1024.0 * 1024.0)).toArray()), c, SeriesLines.SOLID, true);
        }
        chart.getStyler().setYAxisMin(0.0);
        return chart;
    }

    /** Writes a chart as PNG. */
    public static void write(XYChart chart, Path file) throws IOException {
        if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", file.toFile())) {
            throw new IOException("no PNG writer available for " + file);
        }
    }

    private static XYChart chart(String title, String x, String y, int width, int height) {
        XYChart chart = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(x).yAxisTitle(y).build();
        var st = chart.getStyler();
        st.setChartBackgroundColor(Color.WHITE);
        st.setPlotBackgroundColor(Color.WHITE);
        st.setPlotBorderColor(new Color(0xBBBBBB));
        st.setPlotGridLinesColor(new Color(0xE4E4E4));
        st.setPlotGridLinesStroke(new BasicStroke(1f));
        st.setLegendPosition(Styler.LegendPosition.OutsideE);
        st.setLegendBorderColor(Color.WHITE);
        st.setChartTitleBoxVisible(false);
        st.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
        st.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        st.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        st.setMarkerSize(7);
        st.setYAxisLogarithmicDecadeOnly(false);
        st.setAntiAlias(true);
        return chart;
    }

    /**
     * Labels only x ticks that are multiples of a round step giving at most ~8 labels: XChart
     * ticks short integer axes (steps, epochs up to a few hundred) at every small integer, whose labels
     * run together.
     */
    private static void thinLabels(XYChart chart, List<Line> lines) {
        double max = lines.stream().flatMapToDouble(l -> Arrays.stream(l.x())).map(Math::abs).max().orElse(1);
        if (max > 200) {
            return; // longer axes get XChart's own round ticks
        }
        double raw = Math.max(1, max / 8);
        double pow = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = raw <= pow ? pow : raw <= 2 * pow ? 2 * pow : raw <= 5 * pow ? 5 * pow : 10 * pow;
        chart.getStyler().setxAxisTickLabelsFormattingFunction(v -> {
            double k = v / step;
            return Math.abs(k - Math.rint(k)) < 1e-9 ? String.format(java.util.Locale.ROOT, "%.0f", v) : "";
        });
    }

    /**
     * Y tick labels in one notation ({@link PanelFigures#label}: plain decimals between 1e-4 and
     * 1e6, 1e-5 beyond), and a range of ±10 % around a constant series, whose ticks XChart would
     * otherwise place within rounding error of one value (1 ± 1e-15 reads "1" on every tick).
     */
    private static void readableY(XYChart chart, List<Line> lines) {
        double lo = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).filter(Double::isFinite).min().orElse(0);
        double hi = lines.stream().flatMapToDouble(l -> Arrays.stream(l.y())).filter(Double::isFinite).max().orElse(1);
        if (hi - lo <= 1e-9 * Math.max(Math.abs(hi), 1e-300)) {
            double pad = hi == 0 ? 1 : 0.1 * Math.abs(hi);
            chart.getStyler().setYAxisMin(lo - pad);
            chart.getStyler().setYAxisMax(hi + pad);
        }
        chart.getStyler().setyAxisTickLabelsFormattingFunction(v -> PanelFigures.label(v, 3));
    }

    private static void style(XYSeries s, Color c, BasicStroke line, boolean markers) {
        s.setLineColor(c);
        s.setMarkerColor(c);
        s.setLineStyle(line);
        s.setLineWidth(2f);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
}
