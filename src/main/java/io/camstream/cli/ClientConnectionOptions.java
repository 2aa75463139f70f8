package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.client.CamstreamClient;
import io.camstream.client.ClientOptions;
import io.camstream.client.ExplainClient;
import io.camstream.client.ShardedClient;
import io.netty.handler.ssl.SslContextBuilder;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** How `stream` and `load` reach a server: address, token, TLS. */
final class ClientConnectionOptions {
    @Option(names = "--server", paramLabel = "HOST:PORT[,HOST:PORT...]", defaultValue = "127.0.0.1:7070",
            description = "Server, or several (comma-separated): each stream then goes to one of them by consistent hashing of its stream id, "
                    + "and to the next live one when its server is down. Default: ${DEFAULT-VALUE}.")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Send this shared token (first line). The CAMSTREAM_TOKEN environment variable works too.")
    Path tokenFile;

    @Option(names = "--tls", description = "Connect with TLS, trusting the system's certificate authorities.")
    boolean tls;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "Connect with TLS, trusting this certificate (e.g. the server's self-signed one).")
    Path tlsCa;

    /** One client: a plain one for one server, a {@link ShardedClient} over several. */
    ExplainClient connect(String clientName) throws IOException {
        return connect(clientName, b -> b);
    }

    /** The same, with each server's options adjusted by {@code settings} (e.g. how long to keep reconnecting). */
    ExplainClient connect(String clientName, UnaryOperator<ClientOptions.Builder> settings) throws IOException {
        List<ClientOptions> all = options(clientName, settings);
        return all.size() == 1 ? CamstreamClient.connect(all.get(0)) : ShardedClient.connect(all);
    }

    /** The options of each server in --server. */
    List<ClientOptions> options(String clientName) throws IOException {
        return options(clientName, b -> b);
    }

    private List<ClientOptions> options(String clientName, UnaryOperator<ClientOptions.Builder> settings) throws IOException {
        List<ClientOptions> all = new ArrayList<>();
        for (String address : server.split(",")) {
            if (address.isBlank()) throw new InvalidInputException("--server has an empty entry: '" + server + "'");
            all.add(settings.apply(builder(address).clientName(clientName)).build());
        }
        return all;
    }

    private ClientOptions.Builder builder(String address) throws IOException {
        ClientOptions.Builder b = ClientOptions.builder(address).token(token());
        if (tls || tlsCa != null) {
            try {
                SslContextBuilder ssl = SslContextBuilder.forClient();
                if (tlsCa != null) ssl.trustManager(tlsCa.toFile());
                b.ssl(ssl.build());
            } catch (SSLException | IllegalArgumentException e) {
                throw new InvalidInputException("cannot use --tls-ca " + tlsCa + ": " + e.getMessage(), e);
            }
        }
        return b;
    }

    private String token() throws IOException {
        if (tokenFile != null) {
            if (!Files.isRegularFile(tokenFile)) throw new InvalidInputException("--token-file " + tokenFile + " is not a readable file");
            return Files.readAllLines(tokenFile).stream().findFirst().orElse("").strip();
        }
        String env = System.getenv("CAMSTREAM_TOKEN");
        return env == null ? "" : env.strip();
    }
}
