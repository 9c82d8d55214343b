/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.util.List;
import java.util.Locale;
import javax.swing.JComponent;
import javax.swing.UIManager;
import org.serval.client.gui.GuiState.Throughput;

/**
 * A small graph of a VLAN's frames a second in and out, the last {@link GuiModel#HISTORY} polls.
 */
final class ThroughputGraph extends JComponent {
    static final Color IN = new Color(0x2e, 0x7d, 0x32);
    static final Color OUT = new Color(0x15, 0x65, 0xc0);
    private static final long serialVersionUID = 1L;

    private transient Throughput throughput = new Throughput(List.of(), List.of());

    ThroughputGraph() {
        setPreferredSize(new Dimension(320, 90));
        setMinimumSize(new Dimension(160, 90));
    }

    void show(final Throughput newThroughput) {
        throughput = newThroughput == null ? new Throughput(List.of(), List.of()) : newThroughput;
        repaint();
    }

    @Override
    protected void paintComponent(final Graphics graphics) {
        final var g = (Graphics2D) graphics.create();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            final int width = getWidth();
            final int height = getHeight();
            final var background = UIManager.getColor("TextField.background");
            g.setColor(background == null ? Color.WHITE : background);
            g.fillRect(0, 0, width, height);
            final var grid = UIManager.getColor("Separator.foreground");
            g.setColor(grid == null ? Color.LIGHT_GRAY : grid);
            g.drawRect(0, 0, width - 1, height - 1);
            double max = 1;
            for (var v : throughput.in()) {
                max = Math.max(max, v);
            }
            for (var v : throughput.out()) {
                max = Math.max(max, v);
            }
            final int top = 18;
            for (int i = 1; i < 4; i++) {
                final int y = top + (height - top - 2) * i / 4;
                g.drawLine(1, y, width - 2, y);
            }
            plot(g, throughput.in(), max, IN, width, height, top);
            plot(g, throughput.out(), max, OUT, width, height, top);
            g.setFont(getFont().deriveFont(getFont().getSize2D() - 1f));
            final var text = UIManager.getColor("Label.foreground");
            g.setColor(text == null ? Color.DARK_GRAY : text);
            final var scale = String.format(Locale.ROOT, "max %.0f frames/s", max);
            g.drawString(scale, width - g.getFontMetrics().stringWidth(scale) - 6, 13);
            g.setColor(IN);
            final var in = String.format(Locale.ROOT, "in %.1f/s", throughput.lastIn());
            g.drawString(in, 6, 13);
            g.setColor(OUT);
            g.drawString(String.format(Locale.ROOT, "out %.1f/s", throughput.lastOut()),
                14 + g.getFontMetrics().stringWidth(in), 13);
        } finally {
            g.dispose();
        }
    }

    private static void plot(final Graphics2D g2, final List<Double> samples, final double max, final Color color,
            final int width, final int height, final int top) {
        if (samples.size() < 2) {
            return;
        }
        final var path = new Path2D.Double();
        final double step = (width - 4.0) / (GuiModel.HISTORY - 1);
        final double x0 = width - 2 - step * (samples.size() - 1);
        for (int i = 0; i < samples.size(); i++) {
            final double x = x0 + step * i;
            final double y = height - 2 - (height - top - 4) * samples.get(i) / max;
            if (i == 0) {
                path.moveTo(x, y);
            } else {
                path.lineTo(x, y);
            }
        }
        g2.setColor(color);
        g2.setStroke(new BasicStroke(1.6f));
        g2.draw(path);
    }
}
