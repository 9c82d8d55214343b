/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import com.formdev.flatlaf.FlatLightLaf;
import java.awt.GraphicsEnvironment;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.lang.reflect.InvocationTargetException;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.swing.JFrame;
import javax.swing.SwingUtilities;

/**
 * {@code serval-client gui}: the window (and the tray icon, where there is a tray) on a running client's control
 * socket (docs/gui.md).
 */
public final class ServalGui {
    private final GuiModel model;
    private final ServalWindow window;
    private final Tray tray;
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicBoolean quitting = new AtomicBoolean();

    private ServalGui(final GuiModel model, final ServalWindow window, final Tray tray) {
        this.model = model;
        this.window = window;
        this.tray = tray;
    }

    /**
     * Why this JVM cannot show a window, or null when it can.
     */
    public static String cannotShow() {
        if (GraphicsEnvironment.isHeadless()) {
            return "no display to show the window on (DISPLAY is not set, or java.awt.headless is true)";
        }
        return null;
    }

    /**
     * Opens the window on the client at this control socket and starts polling it; returns at once.
     */
    public static ServalGui open(final Path socket) throws InterruptedException {
        // FlatLaf would unpack its native helpers (window decorations) into a writable directory; it draws as well
        // without them.
        System.setProperty("flatlaf.useNativeLibrary", "false");
        final var model = new GuiModel(socket);
        final var gui = new AtomicReference<ServalGui>();
        try {
            SwingUtilities.invokeAndWait(() -> {
                FlatLightLaf.setup();
                final var window = new ServalWindow(model);
                final var holder = new ServalGui[1];
                final var tray = Tray.install(model, () -> holder[0].show(), () -> holder[0].quit());
                holder[0] = new ServalGui(model, window, tray);
                gui.set(holder[0]);
                // with a tray, closing the window hides it, as tray apps do; without one it ends the GUI
                window.setDefaultCloseOperation(tray == null ? JFrame.DISPOSE_ON_CLOSE : JFrame.HIDE_ON_CLOSE);
                window.addWindowListener(new WindowAdapter() {
                    @Override
                    public void windowClosed(final WindowEvent event) {
                        holder[0].quit();
                    }
                });
                window.setLocationByPlatform(true);
                window.setVisible(true);
            });
        } catch (InvocationTargetException e) {
            model.close();
            throw new IllegalStateException("the window could not be opened", e);
        }
        model.start();
        return gui.get();
    }

    /**
     * Runs the GUI until its window is closed (or Quit in the tray).
     */
    public static void run(final Path socket) throws InterruptedException {
        open(socket).closed.await();
    }

    public ServalWindow window() {
        return window;
    }

    public GuiModel model() {
        return model;
    }

    private void show() {
        window.setVisible(true);
        window.toFront();
    }

    /**
     * Closes the window and the tray icon and stops polling; the client service keeps running.
     */
    public void quit() {
        if (!SwingUtilities.isEventDispatchThread()) {
            SwingUtilities.invokeLater(this::quit);
            return;
        }
        if (!quitting.compareAndSet(false, true)) {
            return;
        }
        model.close();
        if (tray != null) {
            tray.remove();
        }
        window.dispose();
        closed.countDown();
    }
}
