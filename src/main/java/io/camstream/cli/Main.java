package io.camstream.cli;

import io.camstream.CamstreamException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code camstream}: the command-line entry point. */
@Command(name = "camstream", mixinStandardHelpOptions = true, version = "camstream 0.1.0",
        description = "Class-discriminative heatmaps (Grad-CAM and family) for TorchScript image models.",
        subcommands = {LayersCommand.class, ExplainCommand.class, EvaluateCommand.class, VisualizeCommand.class, DemoCommand.class,
                BenchCommand.class, ServeCommand.class, StreamCommand.class, LoadCommand.class,
                WorkerCommand.class, PublishCommand.class, CollectCommand.class})
public final class Main implements Runnable {
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
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof CamstreamException) {
                cmd.getErr().println("camstream: error: " + e.getMessage());
                return 2;
            }
            cmd.getErr().println("camstream: internal error (please report): " + e);
            e.printStackTrace(cmd.getErr());
            return 1;
        });
        return cli.execute(args);
    }
}
