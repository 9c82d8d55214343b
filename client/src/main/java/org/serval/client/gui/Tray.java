/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import java.awt.AWTException;
import java.awt.MenuItem;
import java.awt.PopupMenu;
import java.awt.SystemTray;
import java.awt.TrayIcon;
import java.awt.event.ActionListener;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.swing.SwingUtilities;
import org.serval.client.gui.GuiState.Health;

/**
 * The tray icon, where the desktop has a tray: its colour is the connection's, its tooltip the server and the
 * VLANs, its menu opens the window, connects or disconnects, and quits the GUI (never the client service).
 */
final class Tray {
    private final SystemTray tray;
    private final TrayIcon icon;
    private final MenuItem connection = new MenuItem("Disconnect");
    private final AtomicBoolean queued = new AtomicBoolean();
    private final GuiModel model;
    private Health health;

    private Tray(final SystemTray tray, final GuiModel model, final Runnable open, final Runnable quit) {
        this.tray = tray;
        this.model = model;
        final int size = Math.max(16, tray.getTrayIconSize().height);
        icon = new TrayIcon(ServalWindow.icon(ServalWindow.color(Health.STARTING), size), "SERVAL");
        icon.setImageAutoSize(true);
        final var menu = new PopupMenu();
        final var show = new MenuItem("Open SERVAL");
        show.addActionListener(e -> open.run());
        connection.addActionListener(e -> {
            if (health == Health.DOWN || health == Health.DISCONNECTED) {
                model.connect();
            } else {
                model.disconnect();
            }
        });
        final var exit = new MenuItem("Quit (the client keeps running)");
        exit.addActionListener(e -> quit.run());
        menu.add(show);
        menu.add(connection);
        menu.addSeparator();
        menu.add(exit);
        icon.setPopupMenu(menu);
        final ActionListener click = e -> open.run();
        icon.addActionListener(click);
    }

    /**
     * A tray icon for the model, or null when the desktop has no tray (SystemTray.isSupported()).
     */
    static Tray install(final GuiModel model, final Runnable open, final Runnable quit) {
        if (!SystemTray.isSupported()) {
            return null;
        }
        final var tray = new Tray(SystemTray.getSystemTray(), model, open, quit);
        try {
            tray.tray.add(tray.icon);
        } catch (AWTException e) {
            return null;
        }
        model.addListener(state -> tray.requestRender());
        tray.render(model.state());
        return tray;
    }

    private void requestRender() {
        if (queued.compareAndSet(false, true)) {
            SwingUtilities.invokeLater(() -> {
                queued.set(false);
                render(model.state());
            });
        }
    }

    private void render(final GuiState state) {
        if (state.health() != health) {
            health = state.health();
            icon.setImage(ServalWindow.icon(ServalWindow.color(health), icon.getSize().height));
        }
        connection.setLabel(health == Health.DOWN || health == Health.DISCONNECTED ? "Connect" : "Disconnect");
        connection.setEnabled(state.status() != null);
        final var tip = new StringBuilder("SERVAL: ");
        if (state.status() == null) {
            tip.append(state.message() == null ? "starting" : "client service not reachable");
        } else {
            tip.append(state.health().name().toLowerCase(Locale.ROOT)).append(' ')
                .append(state.status().server());
            for (var vlan : state.status().vlans()) {
                tip.append('\n').append(vlan.name()).append(": ").append(vlan.state());
            }
        }
        // tooltips are short on some desktops
        icon.setToolTip(tip.length() > 200 ? tip.substring(0, 200) : tip.toString());
    }

    void remove() {
        tray.remove(icon);
    }
}
