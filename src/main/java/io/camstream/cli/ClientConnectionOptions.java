package io.camstream.cli;

import io.camstream.InvalidInputException;
import io.camstream.client.ClientOptions;
import io.netty.handler.ssl.SslContextBuilder;
import picocli.CommandLine.Option;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** How `stream` and `load` reach a server: address, token, TLS. */
final class ClientConnectionOptions {
    @Option(names = "--server", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070", description = "Default: ${DEFAULT-VALUE}.")
    String server;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Send this shared token (first line). The CAMSTREAM_TOKEN environment variable works too.")
    Path tokenFile;

    @Option(names = "--tls", description = "Connect with TLS, trusting the system's certificate authorities.")
    boolean tls;

    @Option(names = "--tls-ca", paramLabel = "PEM", description = "Connect with TLS, trusting this certificate (e.g. the server's self-signed one).")
    Path tlsCa;

    ClientOptions.Builder builder() throws IOException {
        ClientOptions.Builder b = ClientOptions.builder(server).token(token());
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
