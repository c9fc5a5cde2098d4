package dev.slipway.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** A plain line chart as a PNG, drawn with java.awt (headless): x in seconds, one y axis. */
final class LineChart {
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e)
  };
  private final String title;
  private final String yLabel;
  private final Map<String, List<double[]>> series = new LinkedHashMap<>();

  LineChart(String title, String yLabel) {
    this.title = title;
    this.yLabel = yLabel;
  }

  /** A series of (x seconds, y) points. */
  LineChart add(String name, List<double[]> points) {
    series.put(name, points);
    return this;
  }

  void write(Path file) throws IOException {
    int w = 900;
    int h = 450;
    int left = 70;
    int right = 20;
    int top = 40;
    int bottom = 50;
    double maxX = 1;
    double maxY = 1;
    for (List<double[]> pts : series.values()) {
      for (double[] p : pts) {
        maxX = Math.max(maxX, p[0]);
        maxY = Math.max(maxY, p[1]);
      }
    }
    maxY = niceCeiling(maxY);
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.setColor(new Color(0xdddddd));
    for (int i = 0; i <= 5; i++) {
      int y = top + ph - ph * i / 5;
      g.drawLine(left, y, left + pw, y);
      int x = left + pw * i / 5;
      g.drawLine(x, top, x, top + ph);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    for (int i = 0; i <= 5; i++) {
      int y = top + ph - ph * i / 5;
      g.drawString(format(maxY * i / 5), 5, y + 4);
      int x = left + pw * i / 5;
      g.drawString(format(maxX * i / 5) + " s", x - 12, top + ph + 18);
    }
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, left, 22);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("time since the clusters were applied; y: " + yLabel, left, h - 10);
    int i = 0;
    for (Map.Entry<String, List<double[]>> e : series.entrySet()) {
      g.setColor(COLORS[i % COLORS.length]);
      g.setStroke(new BasicStroke(2f));
      int[] prev = null;
      for (double[] p : e.getValue()) {
        int x = left + (int) Math.round(pw * p[0] / maxX);
        int y = top + ph - (int) Math.round(ph * p[1] / maxY);
        if (prev != null) {
          g.drawLine(prev[0], prev[1], x, y);
        }
        prev = new int[] {x, y};
      }
      g.drawString(e.getKey(), left + pw - 220, top + 18 + 16 * i);
      i++;
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static double niceCeiling(double v) {
    double p = Math.pow(10, Math.floor(Math.log10(v)));
    for (double m : new double[] {1, 2, 2.5, 5, 10}) {
      if (m * p >= v) {
        return m * p;
      }
    }
    return 10 * p;
  }

  private static String format(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.format("%.1f", v);
  }
}
