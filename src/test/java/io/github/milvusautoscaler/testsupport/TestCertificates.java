package io.github.milvusautoscaler.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * A throw-away CA and a server certificate for 127.0.0.1/localhost signed by it, made with the JDK's
 * own keytool (always present where the tests run): {@link #caPem()} is what a client is told to
 * trust, {@link #serverSocketFactory()} what a test server (e.g. {@code MockWebServer.useHttps}) serves.
 */
public final class TestCertificates implements AutoCloseable {

    private static final String PASSWORD = "changeit";

    private final Path dir;
    private final Path caPem;
    private final Path serverKeystore;

    private TestCertificates(Path dir) {
        this.dir = dir;
        this.caPem = dir.resolve("ca.pem");
        this.serverKeystore = dir.resolve("server.p12");
    }

    /** Creates the CA and the server certificate (a few keytool runs, about a second each). */
    public static TestCertificates create() {
        try {
            TestCertificates certs = new TestCertificates(Files.createTempDirectory("test-certs-"));
            certs.generate();
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** PEM of the CA certificate. */
    public Path caPem() {
        return caPem;
    }

    /** TLS server sockets presenting the CA-signed certificate for 127.0.0.1 and localhost. */
    public SSLSocketFactory serverSocketFactory() {
        try (InputStream in = Files.newInputStream(serverKeystore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASSWORD.toCharArray());
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context.getSocketFactory();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        ServerProcess.deleteTree(dir);
    }

    private void generate() {
        String ca = dir.resolve("ca.p12").toString();
        String server = serverKeystore.toString();
        String csr = dir.resolve("server.csr").toString();
        String signed = dir.resolve("server.pem").toString();
        keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=test-ca",
                "-ext", "bc:c", "-validity", "2", "-keystore", ca, "-storetype", "PKCS12", "-storepass", PASSWORD,
                "-keypass", PASSWORD);
        keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", PASSWORD, "-file", caPem.toString());
        keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-validity", "2", "-keystore", server, "-storetype", "PKCS12", "-storepass", PASSWORD, "-keypass", PASSWORD);
        keytool("-certreq", "-alias", "server", "-keystore", server, "-storepass", PASSWORD, "-file", csr);
        keytool("-gencert", "-alias", "ca", "-keystore", ca, "-storepass", PASSWORD, "-infile", csr, "-outfile", signed,
                "-rfc", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2");
        keytool("-importcert", "-alias", "ca", "-keystore", server, "-storepass", PASSWORD, "-file", caPem.toString(),
                "-noprompt");
        keytool("-importcert", "-alias", "server", "-keystore", server, "-storepass", PASSWORD, "-file", signed);
    }

    private void keytool(String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " failed:\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
