package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the CA certificates of a PEM file ({@code prometheus.auth.ca-file}): the one parser that the client's
 * trust ({@link CaTrust}) and the commands' check before building the client both use, so a file the check
 * passes is one the client can trust, and a file it refuses is refused for the same reason.
 */
public final class PemCertificates {

    private PemCertificates() {
    }

    /**
     * Every certificate in {@code file}.
     *
     * @throws Unusable naming why in words that hold neither the path nor the content, e.g.
     *                  {@code cannot be read: no such file (NoSuchFileException)} or {@code holds no certificate}
     */
    public static List<X509Certificate> read(Path file) throws Unusable {
        requireNonNull(file, "file");
        List<X509Certificate> certificates = new ArrayList<>();
        try (InputStream in = Files.newInputStream(file)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (var certificate : factory.generateCertificates(in)) {
                certificates.add((X509Certificate) certificate);
            }
        } catch (IOException e) {
            throw new Unusable("cannot be read: " + SecretFile.why(e));
        } catch (CertificateException e) {
            throw new Unusable("is not a PEM certificate file: " + e.getMessage());
        }
        if (certificates.isEmpty()) {
            throw new Unusable("holds no certificate");
        }
        return List.copyOf(certificates);
    }

    /** Why {@code file} cannot be trusted, or empty when {@link #read} takes it. */
    public static Optional<String> problem(Path file) {
        try {
            read(file);
            return Optional.empty();
        } catch (Unusable e) {
            return Optional.of(e.getMessage());
        }
    }

    /** A file that cannot be read or holds no certificate; the message is the reason alone. */
    public static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String reason) {
            super(reason, null, false, false);
        }
    }
}
