/*
 * Copyright (c) 2026 SERVAL authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.serval.client.gui;

import java.awt.BasicStroke;
import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.awt.Font;
import java.awt.Graphics;
import java.awt.Graphics2D;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Image;
import java.awt.Insets;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.Icon;
import javax.swing.JButton;
import javax.swing.JCheckBox;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTable;
import javax.swing.JTextField;
import javax.swing.ListSelectionModel;
import javax.swing.SwingUtilities;
import javax.swing.UIManager;
import javax.swing.table.AbstractTableModel;
import org.serval.client.gui.GuiState.Health;
import org.serval.client.gui.GuiState.JoinedVlan;
import org.serval.client.gui.GuiState.Member;

/**
 * The window: the server and the client at the top (the seed's figure 7), the VLANs the user may see with their
 * member counts and a Joined check box each (one click joins or leaves), and for the selected VLAN its interface,
 * MAC, addresses, counters, a throughput graph and its members. It only draws {@link GuiState}s and hands clicks
 * to the {@link GuiModel}; it never waits on the control socket.
 */
public final class ServalWindow extends JFrame {
    private static final long serialVersionUID = 1L;
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss")
        .withZone(ZoneId.systemDefault());

    private final transient GuiModel model;
    private final AtomicBoolean renderQueued = new AtomicBoolean();
    private final JLabel headline = new JLabel();
    private final JLabel identity = new JLabel();
    private final JButton connection = new JButton("Disconnect");
    private final JLabel banner = new JLabel();
    private final VlanTableModel vlanRows;
    private final JTable vlanTable;
    private final JButton join = new JButton("Join");
    private final JButton leave = new JButton("Leave");
    private final JButton create = new JButton("New VLAN…");
    private final JLabel detailTitle = new JLabel();
    private final JLabel detailInterface = new JLabel();
    private final JLabel detailMac = new JLabel();
    private final JLabel detailAddress = new JLabel();
    private final JLabel detailState = new JLabel();
    private final JLabel detailCounters = new JLabel();
    private final JLabel detailResolved = new JLabel();
    private final ThroughputGraph graph = new ThroughputGraph();
    private final MemberTableModel memberRows = new MemberTableModel();
    private final JTable memberTable = new JTable(memberRows);
    private final JLabel footer = new JLabel();
    private transient GuiState shown;

    /**
     * A window on this model; call on the event dispatch thread.
     */
    public ServalWindow(final GuiModel model) {
        super("SERVAL");
        this.model = model;
        setIconImage(icon(new Color(0x2e, 0x7d, 0x32), 64));
        setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
        vlanRows = new VlanTableModel(model);
        vlanTable = new JTable(vlanRows);
        name();
        final var content = new JPanel(new BorderLayout(0, 8));
        content.setBorder(BorderFactory.createEmptyBorder(10, 12, 8, 12));
        content.add(header(), BorderLayout.NORTH);
        final var split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, vlanPanel(), detailPanel());
        split.setResizeWeight(0.45);
        split.setBorder(null);
        content.add(split, BorderLayout.CENTER);
        footer.setFont(footer.getFont().deriveFont(footer.getFont().getSize2D() - 1f));
        content.add(footer, BorderLayout.SOUTH);
        setContentPane(content);
        setMinimumSize(new Dimension(760, 460));
        setSize(new Dimension(1040, 620));
        render(model.state());
        model.addListener(state -> requestRender());
    }

    // Names for the test's component lookup (GuiTest) and for accessibility tools.
    private void name() {
        headline.setName("headline");
        identity.setName("identity");
        connection.setName("connection");
        banner.setName("banner");
        vlanTable.setName("vlans");
        join.setName("join");
        leave.setName("leave");
        create.setName("create");
        detailInterface.setName("detail.interface");
        detailMac.setName("detail.mac");
        detailAddress.setName("detail.address");
        detailState.setName("detail.state");
        detailCounters.setName("detail.counters");
        detailResolved.setName("detail.resolved");
        graph.setName("graph");
        memberTable.setName("members");
        footer.setName("footer");
    }

    private JPanel header() {
        final var panel = new JPanel(new BorderLayout(8, 4));
        headline.setFont(headline.getFont().deriveFont(Font.BOLD, headline.getFont().getSize2D() + 3f));
        final var texts = new JPanel();
        texts.setLayout(new BoxLayout(texts, BoxLayout.Y_AXIS));
        texts.add(headline);
        texts.add(identity);
        panel.add(texts, BorderLayout.CENTER);
        connection.addActionListener(e -> {
            if (shown != null && shown.health() == Health.CONNECTED || shown != null
                    && (shown.health() == Health.CONNECTING || shown.health() == Health.RECONNECTING)) {
                model.disconnect();
            } else {
                model.connect();
            }
        });
        panel.add(connection, BorderLayout.EAST);
        banner.setOpaque(true);
        banner.setBackground(new Color(0xfd, 0xec, 0xea));
        banner.setForeground(new Color(0x8a, 0x1c, 0x12));
        banner.setBorder(BorderFactory.createCompoundBorder(
            BorderFactory.createLineBorder(new Color(0xf0, 0xb4, 0xad)), BorderFactory.createEmptyBorder(6, 8, 6, 8)));
        banner.setVisible(false);
        panel.add(banner, BorderLayout.SOUTH);
        return panel;
    }

    private JPanel vlanPanel() {
        final var panel = new JPanel(new BorderLayout(0, 6));
        panel.setBorder(BorderFactory.createEmptyBorder(0, 0, 0, 6));
        final var title = new JLabel("VLANs");
        title.setFont(title.getFont().deriveFont(Font.BOLD));
        panel.add(title, BorderLayout.NORTH);
        vlanTable.setSelectionMode(ListSelectionModel.SINGLE_SELECTION);
        vlanTable.setRowHeight(Math.max(vlanTable.getRowHeight(), 24));
        vlanTable.setFillsViewportHeight(true);
        vlanTable.getColumnModel().getColumn(0).setMaxWidth(60);
        vlanTable.getColumnModel().getColumn(2).setMaxWidth(80);
        vlanTable.getSelectionModel().addListSelectionListener(e -> {
            if (!e.getValueIsAdjusting()) {
                final int row = vlanTable.getSelectedRow();
                final var name = row < 0 ? null : vlanRows.name(vlanTable.convertRowIndexToModel(row));
                if (!Objects.equals(name, model.state().selected())) {
                    model.select(name);
                }
                updateButtons();
            }
        });
        panel.add(new JScrollPane(vlanTable), BorderLayout.CENTER);
        final var buttons = new JPanel(new FlowLayout(FlowLayout.LEFT, 0, 0));
        join.addActionListener(e -> selectedName().ifPresent(model::join));
        leave.addActionListener(e -> selectedName().ifPresent(model::leave));
        create.addActionListener(e -> askCreate());
        buttons.add(join);
        buttons.add(Box.createHorizontalStrut(6));
        buttons.add(leave);
        buttons.add(Box.createHorizontalStrut(6));
        buttons.add(create);
        panel.add(buttons, BorderLayout.SOUTH);
        return panel;
    }

    private JPanel detailPanel() {
        final var panel = new JPanel(new GridBagLayout());
        panel.setBorder(BorderFactory.createEmptyBorder(0, 6, 0, 0));
        final var c = new GridBagConstraints();
        c.gridx = 0;
        c.gridy = 0;
        c.gridwidth = 2;
        c.anchor = GridBagConstraints.WEST;
        c.fill = GridBagConstraints.HORIZONTAL;
        c.weightx = 1;
        c.insets = new Insets(0, 0, 4, 0);
        detailTitle.setFont(detailTitle.getFont().deriveFont(Font.BOLD));
        panel.add(detailTitle, c);
        c.gridwidth = 1;
        row(panel, c, "Interface", detailInterface);
        row(panel, c, "MAC", detailMac);
        row(panel, c, "Address", detailAddress);
        row(panel, c, "State", detailState);
        row(panel, c, "Frames", detailCounters);
        row(panel, c, "ARP/ND", detailResolved);
        c.gridx = 0;
        c.gridy++;
        c.gridwidth = 2;
        c.insets = new Insets(6, 0, 6, 0);
        panel.add(graph, c);
        c.gridy++;
        c.insets = new Insets(2, 0, 2, 0);
        final var membersTitle = new JLabel("Members");
        membersTitle.setFont(membersTitle.getFont().deriveFont(Font.BOLD));
        panel.add(membersTitle, c);
        c.gridy++;
        c.fill = GridBagConstraints.BOTH;
        c.weighty = 1;
        memberTable.setFillsViewportHeight(true);
        final int[] widths = {100, 70, 135, 120, 70};
        for (int i = 0; i < widths.length; i++) {
            memberTable.getColumnModel().getColumn(i).setPreferredWidth(widths[i]);
        }
        memberTable.setRowSelectionAllowed(false);
        final var scroll = new JScrollPane(memberTable);
        scroll.setPreferredSize(new Dimension(320, 120));
        panel.add(scroll, c);
        return panel;
    }

    private static void row(final JPanel panel, final GridBagConstraints gbc, final String label,
            final JLabel value) {
        gbc.gridy++;
        gbc.gridx = 0;
        gbc.weightx = 0;
        gbc.insets = new Insets(1, 0, 1, 12);
        final var name = new JLabel(label);
        name.setForeground(UIManager.getColor("Label.disabledForeground"));
        panel.add(name, gbc);
        gbc.gridx = 1;
        gbc.weightx = 1;
        gbc.insets = new Insets(1, 0, 1, 0);
        panel.add(value, gbc);
    }

    private Optional<String> selectedName() {
        final int row = vlanTable.getSelectedRow();
        return row < 0 ? Optional.empty()
            : Optional.ofNullable(vlanRows.name(vlanTable.convertRowIndexToModel(row)));
    }

    private void askCreate() {
        final var name = new JTextField(16);
        final var open = new JCheckBox("Open: every user may join it");
        final var form = new JPanel(new GridBagLayout());
        final var c = new GridBagConstraints();
        c.anchor = GridBagConstraints.WEST;
        c.gridy = 0;
        form.add(new JLabel("Name "), c);
        form.add(name, c);
        c.gridy = 1;
        c.gridwidth = 2;
        form.add(open, c);
        if (JOptionPane.showConfirmDialog(this, form, "New VLAN", JOptionPane.OK_CANCEL_OPTION,
                JOptionPane.PLAIN_MESSAGE) == JOptionPane.OK_OPTION && !name.getText().isBlank()) {
            model.create(name.getText().strip(), open.isSelected());
        }
    }

    private void requestRender() {
        // Several states in a row are drawn once, the latest: the model's threads never wait for the window.
        if (renderQueued.compareAndSet(false, true)) {
            SwingUtilities.invokeLater(() -> {
                renderQueued.set(false);
                render(model.state());
            });
        }
    }

    private void render(final GuiState state) {
        shown = state;
        final var status = state.status();
        headline.setIcon(dot(color(state.health())));
        headline.setText(switch (state.health()) {
            case STARTING -> "Looking for the client service";
            case NO_SERVICE -> "Client service not running";
            case NO_PERMISSION -> "No permission";
            case NOT_ANSWERING -> "Client service not answering";
            case CONNECTING -> "Connecting to " + status.server();
            case CONNECTED -> "Connected to " + status.server();
            case RECONNECTING -> "Reconnecting to " + status.server();
            case DOWN, DISCONNECTED -> "Disconnected from " + status.server();
            case STOPPING -> "Client service stopping";
        });
        identity.setText(status == null ? "control socket " + model.socket()
            : "client " + status.clientId() + " · user " + status.user() + " · " + status.transport()
                + (status.node() == null ? "" : " · node " + status.node())
                + (status.failovers() > 0 ? " · " + status.failovers() + " failover(s)" : ""));
        setTitle(status == null ? "SERVAL" : "SERVAL · " + status.clientId() + " → " + status.server());
        final var online = state.health() == Health.CONNECTED || state.health() == Health.CONNECTING
            || state.health() == Health.RECONNECTING;
        connection.setText(online ? "Disconnect" : "Connect");
        connection.setEnabled(status != null);
        final var messages = new ArrayList<String>();
        if (state.actionError() != null) {
            messages.add(state.actionError());
        }
        if (state.message() != null) {
            messages.add(state.message());
        }
        banner.setText(messages.isEmpty() ? "" : "<html>" + String.join("<br>", messages.stream()
            .map(ServalWindow::escape).toList()) + "</html>");
        banner.setVisible(!messages.isEmpty());
        vlanRows.show(state);
        reselect(state.selected());
        renderDetail(state);
        memberRows.show(state.members());
        footer.setText("Control socket " + model.socket()
            + (state.updated() == null ? "" : " · updated " + TIME.format(state.updated()))
            + (state.pending() == null ? "" : " · " + state.pending() + "…"));
        updateButtons();
    }

    private void reselect(final String name) {
        final int current = vlanTable.getSelectedRow();
        final var currentName = current < 0 ? null : vlanRows.name(vlanTable.convertRowIndexToModel(current));
        if (Objects.equals(currentName, name) || name == null) {
            return;
        }
        final int row = vlanRows.indexOf(name);
        if (row >= 0) {
            final int view = vlanTable.convertRowIndexToView(row);
            vlanTable.getSelectionModel().setSelectionInterval(view, view);
        }
    }

    private void renderDetail(final GuiState state) {
        final var name = state.selected();
        final JoinedVlan vlan = name == null || state.status() == null ? null : state.status().vlan(name);
        detailTitle.setText(name == null ? "Select a VLAN" : name);
        detailInterface.setText(vlan == null ? "not joined here" : text(vlan.iface()));
        detailMac.setText(vlan == null ? "–" : text(vlan.mac()));
        detailAddress.setText(vlan == null || vlan.addresses().isEmpty() ? "–" : String.join(", ", vlan.addresses()));
        detailState.setText(vlan == null ? "–" : vlan.state() + (vlan.reason() == null ? "" : ": " + vlan.reason()));
        detailCounters.setText(vlan == null ? "–" : vlan.framesIn() + " in · " + vlan.framesOut() + " out · "
            + vlan.dropped() + " dropped");
        detailResolved.setText(vlan == null ? "–" : vlan.resolved() + " answered here, not sent");
        graph.show(name == null ? null : state.throughput().get(name));
    }

    private void updateButtons() {
        final var name = selectedName().orElse(null);
        final var online = shown != null && shown.health().online();
        final var joined = name != null && shown != null && shown.status() != null
            && shown.status().vlan(name) != null;
        join.setEnabled(online && name != null && !joined);
        leave.setEnabled(shown != null && shown.status() != null && joined);
        create.setEnabled(online);
    }

    private static String text(final String value) {
        return value == null ? "–" : value;
    }

    private static String escape(final String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static Color color(final Health health) {
        return switch (health) {
            case CONNECTED -> new Color(0x2e, 0x9d, 0x3a);
            case CONNECTING, RECONNECTING, STARTING -> new Color(0xe0, 0x9b, 0x16);
            case DOWN, DISCONNECTED, STOPPING -> new Color(0x90, 0x90, 0x90);
            default -> new Color(0xd3, 0x2f, 0x2f);
        };
    }

    static Icon dot(final Color color) {
        return new Icon() {
            @Override
            public void paintIcon(final Component component, final Graphics graphics, final int left,
                    final int top) {
                final var g = (Graphics2D) graphics.create();
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setColor(color);
                g.fillOval(left + 1, top + 1, 12, 12);
                g.dispose();
            }

            @Override
            public int getIconWidth() {
                return 16;
            }

            @Override
            public int getIconHeight() {
                return 14;
            }
        };
    }

    /**
     * The window's and the tray's icon: a round badge in the state's colour.
     */
    static Image icon(final Color color, final int size) {
        final var image = new BufferedImage(size, size, BufferedImage.TYPE_INT_ARGB);
        final var g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(color);
        g.fillOval(0, 0, size - 1, size - 1);
        g.setColor(Color.WHITE);
        g.setStroke(new BasicStroke(Math.max(1.5f, size / 10f)));
        final int m = size / 4;
        // two stations and the switch between them
        g.drawLine(m, size / 2, size - m, size / 2);
        g.fillOval(m - size / 12, size / 2 - size / 12, size / 6, size / 6);
        g.fillOval(size - m - size / 12, size / 2 - size / 12, size / 6, size / 6);
        g.drawLine(size / 2, m, size / 2, size - m);
        g.dispose();
        return image;
    }

    /**
     * The VLANs: those {@code list} shows, then those in the client's own list that it does not (refused ones).
     */
    static final class VlanTableModel extends AbstractTableModel {
        private static final long serialVersionUID = 1L;
        private static final String[] COLUMNS = {"Joined", "VLAN", "Members", "Access", "Interface", "Address"};

        record Row(String name, String members, boolean open, boolean joined, String iface, String address) {
        }

        // null until the first show: a field initializer would not be run again after deserialization
        private transient List<Row> rows;
        private final transient GuiModel model;

        VlanTableModel(final GuiModel model) {
            this.model = model;
        }

        private List<Row> rows() {
            return rows == null ? List.of() : rows;
        }

        void show(final GuiState state) {
            final var next = new ArrayList<Row>();
            final var status = state.status();
            for (var vlan : state.vlans()) {
                final var own = status == null ? null : status.vlan(vlan.name());
                next.add(new Row(vlan.name(), Long.toString(vlan.members()), vlan.open(), own != null,
                    ifaceOf(own), addressOf(own)));
            }
            if (status != null) {
                for (var own : status.vlans()) {
                    if (next.stream().noneMatch(r -> r.name().equals(own.name()))) {
                        next.add(new Row(own.name(), "–", false, true, ifaceOf(own), addressOf(own)));
                    }
                }
            }
            if (!next.equals(rows())) {
                final boolean sameNames = next.size() == rows().size() && IntStream
                    .range(0, next.size()).allMatch(i -> next.get(i).name().equals(rows().get(i).name()));
                rows = List.copyOf(next);
                if (sameNames) {
                    // the selection stays where it is
                    fireTableRowsUpdated(0, rows().size() - 1);
                } else {
                    fireTableDataChanged();
                }
            }
        }

        private static String ifaceOf(final JoinedVlan own) {
            if (own == null) {
                return "";
            }
            final var iface = own.iface() == null ? "" : own.iface();
            return "joined".equals(own.state()) ? iface : (iface + " (" + own.state() + ")").strip();
        }

        private static String addressOf(final JoinedVlan own) {
            return own == null || own.addresses().isEmpty() ? "" : own.addresses().get(0);
        }

        String name(final int row) {
            return row < rows().size() ? rows().get(row).name() : null;
        }

        int indexOf(final String name) {
            for (int i = 0; i < rows().size(); i++) {
                if (rows().get(i).name().equals(name)) {
                    return i;
                }
            }
            return -1;
        }

        @Override
        public int getRowCount() {
            return rows().size();
        }

        @Override
        public int getColumnCount() {
            return COLUMNS.length;
        }

        @Override
        public String getColumnName(final int column) {
            return COLUMNS[column];
        }

        @Override
        public Class<?> getColumnClass(final int column) {
            return column == 0 ? Boolean.class : String.class;
        }

        @Override
        public boolean isCellEditable(final int row, final int column) {
            return column == 0;
        }

        @Override
        public Object getValueAt(final int row, final int column) {
            final var r = rows().get(row);
            return switch (column) {
                case 0 -> r.joined();
                case 1 -> r.name();
                case 2 -> r.members();
                case 3 -> r.open() ? "open" : "restricted";
                case 4 -> r.iface();
                default -> r.address();
            };
        }

        @Override
        public void setValueAt(final Object value, final int row, final int column) {
            // One click on the check box joins or leaves; the box follows the client's status, not the click.
            if (column == 0 && value instanceof Boolean wanted && row < rows().size()) {
                final var name = rows().get(row).name();
                if (wanted) {
                    model.join(name);
                } else {
                    model.leave(name);
                }
            }
        }
    }

    /**
     * The selected VLAN's members.
     */
    static final class MemberTableModel extends AbstractTableModel {
        private static final long serialVersionUID = 1L;
        private static final String[] COLUMNS = {"Client", "User", "MAC", "IP addresses", "Node"};

        // null until the first show, as above
        private transient List<Member> rows;

        private List<Member> rows() {
            return rows == null ? List.of() : rows;
        }

        void show(final List<Member> members) {
            if (!members.equals(rows())) {
                rows = members;
                fireTableDataChanged();
            }
        }

        @Override
        public int getRowCount() {
            return rows().size();
        }

        @Override
        public int getColumnCount() {
            return COLUMNS.length;
        }

        @Override
        public String getColumnName(final int column) {
            return COLUMNS[column];
        }

        @Override
        public Object getValueAt(final int row, final int column) {
            final var member = rows().get(row);
            return switch (column) {
                case 0 -> member.client();
                case 1 -> member.user();
                case 2 -> member.mac();
                case 3 -> String.join(", ", member.addresses());
                default -> member.node();
            };
        }
    }
}
