package io.camstream.cli;

import io.camstream.CamstreamException;
import io.camstream.model.ExecutionDevice;
import io.camstream.natives.NativeLibraries;
import io.camstream.natives.NativeLibraryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code camstream}: the command-line entry point. */
@Command(name = "camstream", mixinStandardHelpOptions = true, version = "camstream 0.1.0",
        description = "Class-discriminative heatmaps (Grad-CAM and family) for TorchScript image models.",
        subcommands = {LayersCommand.class, ExplainCommand.class, EvaluateCommand.class, VisualizeCommand.class, DemoCommand.class,
                BenchCommand.class, ServeCommand.class, StreamCommand.class, LoadCommand.class,
                WorkerCommand.class, PublishCommand.class, CollectCommand.class})
public final class Main implements Runnable {
    static final int HELP_WIDTH = 100;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command: try `camstream demo` or `camstream --help`");
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs a command line and returns the exit status: 0 ok, 2 bad usage or input, 1 internal error. */
    public static int execute(String... args) {
        CommandLine cli = commandLine();
        cli.setExecutionStrategy(parsed -> {
            Integer help = CommandLine.executeHelpRequest(parsed);
            if (help != null) return help; // --help and --version load nothing
            try {
                NativeLibraries.prepare(wantsCuda(parsed));
                return new CommandLine.RunLast().execute(parsed);
            } catch (NativeLibraryException e) {
                return reportError(parsed.commandSpec().commandLine(), e);
            } catch (LinkageError e) {
                // An Error never reaches the exception handler: a native library that failed to load is reported here.
                NativeLibraryException known = NativeLibraryException.from(e);
                if (known == null) throw e;
                return reportError(parsed.commandSpec().commandLine(), known);
            }
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            CamstreamException known = e instanceof CamstreamException c ? c : NativeLibraryException.from(e);
            if (known != null) return reportError(cmd, known);
            cmd.getErr().println("camstream: internal error (please report): " + e);
            e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli.execute(args);
    }

    private static int reportError(CommandLine cmd, CamstreamException e) {
        cmd.getErr().println("camstream: error: " + e.getMessage());
        return 2;
    }

    /** Whether the command asks for CUDA: the natives (CPU or CUDA libtorch) are chosen once, before any is loaded. */
    private static boolean wantsCuda(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult command = parsed;
        while (command.hasSubcommand()) command = command.subcommand();
        if (!command.hasMatchedOption("--device")) return false;
        try {
            return ExecutionDevice.parse(command.matchedOptionValue("--device", "cpu")).isCuda();
        } catch (CamstreamException e) {
            return false; // the command reports the bad value itself
        }
    }

    /** The command tree with its help layout: as wide as the terminal, else 100 columns (so paths and HOST:PORT stay whole). */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setUsageHelpWidth(HELP_WIDTH);
        cli.setUsageHelpAutoWidth(true);
        // the full synopsis of 30 options wraps inside option tokens ("[--layer=PATH⏎[,PATH...]]"); each option has its own line below
        cli.getSubcommands().values().forEach(c -> c.getCommandSpec().usageMessage().abbreviateSynopsis(true));
        return cli;
    }
}
