package io.streamvec.topology;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyDescription.GlobalStore;
import org.apache.kafka.streams.TopologyDescription.Node;
import org.apache.kafka.streams.TopologyDescription.Processor;
import org.apache.kafka.streams.TopologyDescription.Sink;
import org.apache.kafka.streams.TopologyDescription.Source;
import org.apache.kafka.streams.TopologyDescription.Subtopology;

/**
 * Draws a {@link TopologyDescription} as an SVG diagram: one band per sub-topology (global stores
 * included), nodes placed left to right by their depth from the sources, with their topics and stores,
 * and an arrow for every edge. The output depends only on the description, so it can be committed and
 * checked for drift like {@code topology.txt}.
 */
public final class TopologyDiagram {

    private static final int COLUMN = 275;
    private static final int ROW = 90;
    private static final int BOX_WIDTH = 235;
    private static final int BOX_HEIGHT = 58;
    private static final int MARGIN = 20;
    private static final int BAND_TITLE = 28;

    private TopologyDiagram() {}

    private record Placed(Node node, int column, int row) {}

    public static String svg(TopologyDescription description) {
        List<String> titles = new ArrayList<>();
        List<List<Node>> bands = new ArrayList<>();
        List<Subtopology> subtopologies = new ArrayList<>(description.subtopologies());
        subtopologies.sort(Comparator.comparingInt(Subtopology::id));
        for (Subtopology sub : subtopologies) {
            titles.add("sub-topology " + sub.id());
            bands.add(new ArrayList<>(sub.nodes()));
        }
        List<GlobalStore> globals = new ArrayList<>(description.globalStores());
        globals.sort(Comparator.comparingInt(GlobalStore::id));
        for (GlobalStore global : globals) {
            titles.add("global store " + String.join(", ", global.processor().stores()));
            bands.add(List.of(global.source(), global.processor()));
        }

        StringBuilder body = new StringBuilder();
        int y = MARGIN;
        int width = 0;
        for (int b = 0; b < bands.size(); b++) {
            Map<String, Placed> placed = layout(bands.get(b));
            int columns = placed.values().stream().mapToInt(Placed::column).max().orElse(0) + 1;
            int rows = placed.values().stream().mapToInt(Placed::row).max().orElse(0) + 1;
            int bandHeight = BAND_TITLE + rows * ROW;
            width = Math.max(width, MARGIN * 2 + columns * COLUMN);
            body.append(String.format(Locale.ROOT,
                    "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"8\" class=\"band\"/>%n",
                    MARGIN / 2, y, columns * COLUMN + MARGIN, bandHeight));
            body.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%d\" class=\"title\">%s</text>%n",
                    MARGIN, y + 18, escape(titles.get(b))));
            int top = y + BAND_TITLE;
            for (Placed p : placed.values()) {
                for (Node successor : p.node().successors()) {
                    Placed q = placed.get(successor.name());
                    if (q == null) {
                        continue;
                    }
                    body.append(String.format(Locale.ROOT,
                            "  <line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"edge\" marker-end=\"url(#arrow)\"/>%n",
                            x(p) + BOX_WIDTH, top + yOf(p) + BOX_HEIGHT / 2, x(q), top + yOf(q) + BOX_HEIGHT / 2));
                }
            }
            for (Placed p : placed.values()) {
                body.append(box(p, top));
            }
            y += bandHeight + MARGIN;
        }
        return String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, y, width, y)
                + "  <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" "
                + "markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\"/></marker></defs>\n"
                + "  <style>.band{fill:#f6f8fa;stroke:#d0d7de}.title{font-weight:bold;fill:#57606a}"
                + ".source{fill:#ddf4ff;stroke:#54aeff}.processor{fill:#fff8c5;stroke:#d4a72c}"
                + ".sink{fill:#dafbe1;stroke:#4ac26b}.edge{stroke:#57606a;stroke-width:1.5}"
                + ".name{font-weight:bold}.detail{fill:#57606a;font-size:11px}</style>\n"
                + body + "</svg>\n";
    }

    /** Column = longest path from a node without predecessors; rows in name order within a column. */
    private static Map<String, Placed> layout(List<Node> nodes) {
        Map<String, Integer> depth = new HashMap<>();
        List<Node> sorted = new ArrayList<>(nodes);
        sorted.sort(Comparator.comparing(Node::name));
        boolean changed = true;
        for (Node node : sorted) {
            depth.put(node.name(), 0);
        }
        while (changed) {
            changed = false;
            for (Node node : sorted) {
                for (Node successor : node.successors()) {
                    if (depth.containsKey(successor.name()) && depth.get(successor.name()) <= depth.get(node.name())) {
                        depth.put(successor.name(), depth.get(node.name()) + 1);
                        changed = true;
                    }
                }
            }
        }
        Map<Integer, Set<String>> columns = new HashMap<>();
        for (Node node : sorted) {
            columns.computeIfAbsent(depth.get(node.name()), d -> new TreeSet<>()).add(node.name());
        }
        Map<String, Node> byName = new HashMap<>();
        sorted.forEach(node -> byName.put(node.name(), node));
        Map<String, Placed> placed = new LinkedHashMap<>();
        for (Map.Entry<Integer, Set<String>> column : new java.util.TreeMap<>(columns).entrySet()) {
            int row = 0;
            for (String name : column.getValue()) {
                placed.put(name, new Placed(byName.get(name), column.getKey(), row++));
            }
        }
        return placed;
    }

    private static int x(Placed p) {
        return MARGIN + p.column() * COLUMN;
    }

    private static int yOf(Placed p) {
        return p.row() * ROW;
    }

    private static String box(Placed p, int top) {
        Node node = p.node();
        String kind;
        String detail;
        if (node instanceof Source source) {
            kind = "source";
            detail = "topics: " + String.join(", ", new TreeSet<>(source.topicSet()));
        } else if (node instanceof Sink sink) {
            kind = "sink";
            detail = "topic: " + sink.topic();
        } else {
            kind = "processor";
            Set<String> stores = new TreeSet<>(((Processor) node).stores());
            detail = stores.isEmpty() ? "no store" : "stores: " + String.join(", ", stores);
        }
        int x = x(p);
        int y = top + yOf(p);
        return String.format(Locale.ROOT,
                "  <rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" class=\"%s\"/>%n"
                        + "  <text x=\"%d\" y=\"%d\" class=\"name\">%s</text>%n"
                        + "  <text x=\"%d\" y=\"%d\" class=\"detail\">%s</text>%n"
                        + "  <text x=\"%d\" y=\"%d\" class=\"detail\">%s</text>%n",
                x, y, BOX_WIDTH, BOX_HEIGHT, kind, x + 8, y + 18, escape(node.name()), x + 8, y + 34, kind,
                x + 8, y + 49, escape(detail));
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
