/**
 * The report stage: reads every completed train, certify, attack and simulate node of an
 * experiment and writes {@code summary.json} (one row per task and method, with means and 95 %
 * Student-t intervals from {@link org.deqbench.metrics}), a self-contained {@code index.html} and
 * its {@code figures/*.png} (XChart line charts; image grids drawn with {@code java.awt}).
 *
 * <p>{@link org.deqbench.stage.ReportStage} is the entry point; {@link org.deqbench.stage.UpstreamReader}
 * turns the upstream files into {@link org.deqbench.report.MethodResults}; charts come from
 * {@link org.deqbench.report.ReportCharts}, example grids from {@link org.deqbench.report.ExampleFigure},
 * the page from {@link org.deqbench.report.HtmlReport}. Rendering is headless.
 * {@link org.deqbench.report.RunComparison} compares the {@code summary.json} of two runs (the
 * regression gate).
 */
package org.deqbench.report;
