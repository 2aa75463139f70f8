package io.camstream.model;

import org.bytedeco.pytorch.Block;
import org.bytedeco.pytorch.Graph;
import org.bytedeco.pytorch.JitNode;
import org.bytedeco.pytorch.Value;
import org.bytedeco.pytorch.ValueVector;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A capture graph {@code (self, x) -> (logits, captured...)} cut in two at the earliest captured layer:
 * <ul>
 *   <li>the trunk {@code (self, x) -> (crossing...)}: every top-level node up to and including the one that makes the
 *   earliest captured value; it needs no gradient, so it can be frozen and optimised for inference;</li>
 *   <li>the head {@code (self, x, crossing...) -> (logits, captured...)}: the rest, unchanged, fed with the trunk's
 *   outputs. The capture's own leaf/clone nodes come after the cut, so autograd starts inside the head.</li>
 * </ul>
 * Crossing values are the trunk's input-dependent values that the head still reads: the captured layer, and any skip
 * connection that crosses it. Input-independent trunk nodes (constants, attribute reads) are kept in both halves.
 */
final class GraphSplit {
    /** Nodes between a captured value and the tuple the capture returns (leaf making, defensive copies). */
    private static final Set<String> CAPTURE_PLUMBING = Set.of("aten::detach", "aten::requires_grad_", "aten::clone");

    final Graph trunk;
    final Graph head;
    final int crossing;

    private GraphSplit(Graph trunk, Graph head, int crossing) {
        this.trunk = trunk;
        this.head = head;
        this.crossing = crossing;
    }

    /** Why a graph cannot be split; the capture then runs whole, as before. */
    static final class Unsplittable extends Exception {
        Unsplittable(String message) {
            super(message);
        }
    }

    /** Splits a copy of {@code capture}; {@code capture} itself is left as it is. */
    static GraphSplit of(Graph capture) throws Unsplittable {
        if (capture.inputs().size() != 2) throw new Unsplittable("forward takes " + (capture.inputs().size() - 1) + " inputs, not one");
        List<JitNode> nodes = topLevel(capture);
        int cut = cutIndex(capture, nodes);
        Set<Long> dependent = inputDependent(capture, nodes, cut);
        List<int[]> crossing = crossingValues(capture, nodes, cut, dependent);
        if (crossing.isEmpty()) throw new Unsplittable("nothing after the layer depends on the input");
        Graph trunk = trunkOf(capture.copy(), cut, crossing);
        Graph head = headOf(capture.copy(), cut, crossing, dependent, nodes);
        return new GraphSplit(trunk, head, crossing.size());
    }

    static List<JitNode> topLevel(Graph g) {
        List<JitNode> nodes = new ArrayList<>();
        for (JitNode n = g.param_node().next(); !n.equals(g.return_node()); n = n.next()) nodes.add(n);
        return nodes;
    }

    private static String kind(JitNode n) {
        return n.kind().toQualString().getString();
    }

    /** Index of the top-level node that makes the earliest captured value. */
    private static int cutIndex(Graph g, List<JitNode> nodes) throws Unsplittable {
        Value out = g.outputs().get(0);
        JitNode tuple = out.node();
        if (!kind(tuple).equals("prim::TupleConstruct") || tuple.inputs().size() < 2) throw new Unsplittable("not a capture graph");
        int cut = Integer.MAX_VALUE;
        for (int i = 1; i < tuple.inputs().size(); i++) {
            Value v = tuple.inputs().get(i);
            while (CAPTURE_PLUMBING.contains(kind(v.node())) && v.node().inputs().size() > 0) v = v.node().inputs().get(0);
            JitNode producer = v.node();
            if (producer.equals(g.param_node())) throw new Unsplittable("the layer's output is the model's input");
            if (!producer.owningBlock().equals(g.block())) {
                throw new Unsplittable("the layer is called inside a control-flow block (if/loop)");
            }
            int index = indexOf(nodes, producer);
            cut = Math.min(cut, index);
        }
        return cut;
    }

    private static int indexOf(List<JitNode> nodes, JitNode n) throws Unsplittable {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).equals(n)) return i;
        }
        throw new Unsplittable("the layer's node is not in the graph");
    }

    /** Addresses of the trunk values that depend on the input {@code x} (graph input 1), directly or through blocks. */
    private static Set<Long> inputDependent(Graph g, List<JitNode> nodes, int cut) {
        Set<Long> dependent = new HashSet<>();
        dependent.add(g.inputs().get(1).address());
        for (int i = 0; i <= cut; i++) {
            JitNode n = nodes.get(i);
            if (readsAny(n, dependent)) {
                for (int o = 0; o < n.outputs().size(); o++) dependent.add(n.outputs().get(o).address());
            }
        }
        return dependent;
    }

    /** Whether {@code n}, or any node in its blocks, reads one of {@code values}; block-local values are added too. */
    private static boolean readsAny(JitNode n, Set<Long> values) {
        boolean reads = false;
        for (int i = 0; i < n.inputs().size(); i++) reads |= values.contains(n.inputs().get(i).address());
        for (int b = 0; b < n.blocks().size(); b++) {
            Block block = n.blocks().get(b);
            for (JitNode m = block.param_node().next(); !m.equals(block.return_node()); m = m.next()) {
                if (readsAny(m, values)) {
                    reads = true;
                    for (int o = 0; o < m.outputs().size(); o++) values.add(m.outputs().get(o).address());
                }
            }
            JitNode ret = block.return_node();
            for (int i = 0; i < ret.inputs().size(); i++) reads |= values.contains(ret.inputs().get(i).address());
        }
        return reads;
    }

    /** (node index, output index) of each input-dependent trunk value that the head or the graph's return reads. */
    private static List<int[]> crossingValues(Graph g, List<JitNode> nodes, int cut, Set<Long> dependent) {
        Set<Long> readAfter = new HashSet<>();
        for (int i = cut + 1; i < nodes.size(); i++) collectReads(nodes.get(i), readAfter);
        collectReads(g.return_node(), readAfter);
        List<int[]> crossing = new ArrayList<>();
        for (int i = 0; i <= cut; i++) {
            JitNode n = nodes.get(i);
            for (int o = 0; o < n.outputs().size(); o++) {
                long a = n.outputs().get(o).address();
                if (dependent.contains(a) && readAfter.contains(a)) crossing.add(new int[]{i, o});
            }
        }
        return crossing;
    }

    private static void collectReads(JitNode n, Set<Long> into) {
        for (int i = 0; i < n.inputs().size(); i++) into.add(n.inputs().get(i).address());
        for (int b = 0; b < n.blocks().size(); b++) {
            Block block = n.blocks().get(b);
            for (JitNode m = block.param_node().next(); !m.equals(block.return_node()); m = m.next()) collectReads(m, into);
            collectReads(block.return_node(), into);
        }
    }

    private static Value valueAt(List<JitNode> nodes, int[] at) {
        return nodes.get(at[0]).outputs().get(at[1]);
    }

    /** Drops everything after the cut and returns the crossing values as one tuple. */
    private static Graph trunkOf(Graph g, int cut, List<int[]> crossing) {
        List<JitNode> nodes = topLevel(g);
        g.eraseOutput(0);
        for (int i = nodes.size() - 1; i > cut; i--) nodes.get(i).destroy();
        ValueVector items = new ValueVector();
        for (int[] at : crossing) items.push_back(valueAt(nodes, at));
        JitNode tuple = g.createTuple(items);
        g.appendNode(tuple);
        g.registerOutput(tuple.output());
        return g;
    }

    /** Feeds the crossing values in as extra graph inputs and drops the input-dependent trunk nodes. */
    private static Graph headOf(Graph g, int cut, List<int[]> crossing, Set<Long> dependentInOriginal, List<JitNode> original) {
        List<JitNode> nodes = topLevel(g);
        for (int[] at : crossing) {
            Value v = valueAt(nodes, at);
            Value in = g.addInput();
            in.setType(v.type());
            v.replaceAllUsesWith(in);
        }
        for (int i = cut; i >= 0; i--) {
            JitNode o = original.get(i);
            boolean dependent = false;
            for (int k = 0; k < o.outputs().size(); k++) dependent |= dependentInOriginal.contains(o.outputs().get(k).address());
            // a node without outputs that reads the input (e.g. an assertion on its shape) ran in the trunk already
            if (o.outputs().size() == 0) dependent = readsAny(o, new HashSet<>(dependentInOriginal));
            if (dependent) nodes.get(i).destroy();
        }
        return g;
    }
}
