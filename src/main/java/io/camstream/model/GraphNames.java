package io.camstream.model;

import org.bytedeco.pytorch.Graph;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code name} attribute of every {@code prim::GetAttr} / {@code prim::CallMethod} node, keyed by the debug
 * name of the node's output. Read from the graph's text because {@code Node::s(attr::name)} returns a dangling
 * pointer in these bindings (see shared/notes/libtorch-from-java.md).
 */
final class GraphNames {
    private static final Pattern NAMED_NODE =
            Pattern.compile("%([^\\s:,]+) : [^\\n]*?= prim::(GetAttr|CallMethod)\\[name=\"([^\"]*)\"\\]");

    private GraphNames() {
    }

    static Map<String, String> of(Graph graph) {
        Map<String, String> names = new HashMap<>();
        Matcher m = NAMED_NODE.matcher(graph.toString());
        while (m.find()) {
            names.put(m.group(1), m.group(3));
        }
        return names;
    }
}
