package io.pollster.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYBarRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYBarDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * One PNG per measured run: its latency distribution (with p50 and p99 marked) beside its throughput
 * over time, written next to the build output ({@code bench/target/<name>.png}, or the directory in
 * the system property {@code bench.output}).
 */
public final class BenchChart {

    private static final int WIDTH = 1400;
    private static final int HEIGHT = 520;
    private static final int MAX_BARS = 120;

    private BenchChart() {}

    /**
     * Draws and writes the chart; prints where. A machine without fonts (a bare JDK on Debian) cannot
     * draw text, which is reported rather than failing the benchmark after its figures are printed.
     */
    public static void write(
            String name, String title, LatencyHistogram latency, String latencyOf, Timeline throughput, String unit) {
        System.setProperty("java.awt.headless", "true");
        Path file = outputDirectory().resolve(name + ".png");
        try {
            BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            latencyChart(title, latency, latencyOf).draw(g, new Rectangle2D.Double(0, 0, WIDTH / 2.0, HEIGHT));
            throughputChart(throughput, unit).draw(g, new Rectangle2D.Double(WIDTH / 2.0, 0, WIDTH / 2.0, HEIGHT));
            g.dispose();
            Files.createDirectories(file.getParent());
            ImageIO.write(image, "png", file.toFile());
            System.out.println("chart: " + file.toAbsolutePath().normalize());
        } catch (IOException | RuntimeException | Error e) {
            System.out.printf(
                    "chart %s not written: %s (drawing text needs fontconfig and a font, e.g. Debian's fonts-dejavu-core)%n",
                    file, e);
        }
    }

    static Path outputDirectory() {
        String configured = System.getProperty("bench.output");
        if (configured != null) {
            return Path.of(configured);
        }
        // run from the repository root by hand, or from the module by Maven
        return Files.isDirectory(Path.of("bench", "src")) ? Path.of("bench", "target") : Path.of("target");
    }

    private static JFreeChart latencyChart(String title, LatencyHistogram latency, String latencyOf) {
        // bars of equal width up to just past p99.9, so one slow outlier does not squash the rest
        long top = Math.max(1, Math.min(LatencyHistogram.MAX_MS, latency.percentile(0.999) + 1));
        int width = (int) Math.max(1, (top + MAX_BARS - 1) / MAX_BARS);
        XYSeries counts = new XYSeries("samples");
        for (long from = 0; from <= top; from += width) {
            long n = 0;
            for (long ms = from; ms < from + width && ms <= LatencyHistogram.MAX_MS; ms++) {
                n += latency.count((int) ms);
            }
            counts.add(from + width / 2.0, n);
        }
        JFreeChart chart = ChartFactory.createXYBarChart(
                title,
                latencyOf + " (ms, up to p99.9)",
                false,
                "samples",
                new XYBarDataset(new XYSeriesCollection(counts), width),
                PlotOrientation.VERTICAL,
                false,
                false,
                false);
        XYPlot plot = style(chart);
        ((XYBarRenderer) plot.getRenderer()).setShadowVisible(false);
        ((XYBarRenderer) plot.getRenderer()).setDrawBarOutline(false);
        ((XYBarRenderer) plot.getRenderer()).setBarPainter(new org.jfree.chart.renderer.xy.StandardXYBarPainter());
        plot.getRenderer().setSeriesPaint(0, new Color(0x1f4fd1));
        // p99's label lower than p50's: both stay readable when the lines are close
        mark(plot, "p50 " + latency.percentile(0.50) + " ms", latency.percentile(0.50), 4, top);
        mark(plot, "p99 " + latency.percentile(0.99) + " ms", latency.percentile(0.99), 24, top);
        return chart;
    }

    private static JFreeChart throughputChart(Timeline throughput, String unit) {
        XYSeries perSecond = new XYSeries(unit);
        long[] counts = throughput.perSecond();
        for (int s = 0; s < counts.length; s++) {
            perSecond.add(s + 0.5, counts[s]);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(
                "throughput over time",
                "seconds since the measured window opened",
                unit + " per second",
                new XYSeriesCollection(perSecond),
                PlotOrientation.VERTICAL,
                false,
                false,
                false);
        XYPlot plot = style(chart);
        plot.getRenderer().setSeriesPaint(0, new Color(0x166534));
        plot.getRenderer().setSeriesStroke(0, new BasicStroke(2f));
        return chart;
    }

    private static XYPlot style(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xdde3ec));
        plot.setRangeGridlinePaint(new Color(0xdde3ec));
        return plot;
    }

    /** A vertical line at {@code at} labelled on the side with more room (the axis ends near {@code top}). */
    private static void mark(XYPlot plot, String label, double at, double fromTop, double top) {
        boolean left = at > top * 0.6;
        ValueMarker marker = new ValueMarker(at, new Color(0xb34700), new BasicStroke(1.5f));
        marker.setLabel(label);
        marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        marker.setLabelBackgroundColor(Color.WHITE);
        marker.setLabelAnchor(left ? RectangleAnchor.TOP_LEFT : RectangleAnchor.TOP_RIGHT);
        marker.setLabelTextAnchor(left ? TextAnchor.TOP_RIGHT : TextAnchor.TOP_LEFT);
        marker.setLabelOffset(new RectangleInsets(fromTop, 4, 0, 4));
        plot.addDomainMarker(marker);
    }
}
