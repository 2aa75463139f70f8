package io.camstream.cli;

import io.camstream.explain.Methods;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Help text: every word of the source text survives the wrapping whole, and options say what they take. */
class HelpTextTest {
    private static final Map<String, CommandLine> COMMANDS = Main.commandLine().getSubcommands();

    /** Help as one line: a word split across lines shows up as two words. */
    private static String flat(CommandLine cmd) {
        return cmd.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
    }

    @Test
    void noWordOrOptionIsSplitByTheWrapping() {
        List<String> split = new ArrayList<>();
        for (Map.Entry<String, CommandLine> c : COMMANDS.entrySet()) {
            String help = flat(c.getValue());
            String synopsis = c.getValue().getHelp().synopsis(0).replaceAll("\\s+", " ");
            List<String> words = new ArrayList<>();
            for (String d : c.getValue().getCommandSpec().usageMessage().description()) words.addAll(List.of(d.split("\\s+")));
            for (OptionSpec o : c.getValue().getCommandSpec().options()) {
                for (String d : o.description()) words.addAll(List.of(d.split("\\s+")));
                String takes = o.longestName() + "=" + o.paramLabel();
                if (o.arity().max() > 0 && synopsis.contains(o.longestName() + "=") && !synopsis.contains(takes)) split.add(c.getKey() + " synopsis: '" + takes + "'");
            }
            for (String w : words) {
                if (!w.isEmpty() && !w.contains("${") && !help.contains(w)) split.add(c.getKey() + ": '" + w + "'");
            }
        }
        assertTrue(split.isEmpty(), "split by the wrapping: " + split);
    }

    @Test
    void methodOptionsListEveryMethod() {
        for (String cmd : List.of("stream", "load", "demo", "bench", "explain", "evaluate")) {
            String help = flat(COMMANDS.get(cmd));
            for (String m : Methods.names()) assertTrue(help.contains(m), cmd + "'s help lacks method " + m + ": " + help);
        }
    }

    @Test
    void visualizeSaysItsDefaultObjective() {
        CommandLine v = COMMANDS.get("visualize");
        String summary = String.join(" ", v.getCommandSpec().usageMessage().description());
        String objective = v.getCommandSpec().findOption("--objective").defaultValue();
        assertEquals("log-softmax", objective);
        assertTrue(summary.contains("maximises one class's " + objective), summary);
    }

    @Test
    void benchDescribesItsBatchOptionsAndSharesExplainsDefault() {
        CommandLine b = COMMANDS.get("bench");
        OptionSpec batch = b.getCommandSpec().findOption("--batch");
        assertTrue(String.join(" ", batch.description()).contains("Images per explain call"), String.join(" ", batch.description()));
        assertEquals(COMMANDS.get("explain").getCommandSpec().findOption("--batch-size").defaultValue(),
                b.getCommandSpec().findOption("--batch-size").defaultValue());
    }
}
