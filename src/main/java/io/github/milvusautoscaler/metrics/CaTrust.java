package io.github.milvusautoscaler.metrics;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Enumeration;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust built from a PEM file of CA certificates, for a Prometheus whose certificate is signed by a
 * cluster-internal CA. It replaces the JVM's trust store for this endpoint only.
 *
 * <p>{@link #refresh()} reads the file again when it changed (modification time, size or inode),
 * so a CA bundle that cert-manager or a Secret mount rotates is trusted without a restart; the
 * query client calls it before each query, as it re-reads the token file. A new file also ends the
 * TLS sessions made under the old one, so the next connection is checked against it. A rotated file
 * that cannot be read or holds no certificate keeps the CAs read before and says so once in the
 * log; only at start does a bad file stop the daemon.
 */
final class CaTrust extends X509ExtendedTrustManager {

    private static final Logger LOG = LoggerFactory.getLogger(CaTrust.class);

    private final Path pemFile;
    private final SSLContext context;
    private final SSLSocketFactory socketFactory;
    private volatile Loaded current;
    /** The file version whose failure was already logged, so a bad file is reported once. */
    private Version reportedBad;

    private record Version(FileTime modified, long size, Object fileKey) {
    }

    private record Loaded(Version version, X509ExtendedTrustManager trust) {
    }

    private CaTrust(Path pemFile, Loaded first) throws GeneralSecurityException {
        this.pemFile = pemFile;
        this.current = first;
        this.context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {this}, null);
        this.socketFactory = context.getSocketFactory();
    }

    /** Loads every certificate in the PEM file; fails naming the file when there is none or it is unreadable. */
    static CaTrust fromPem(Path pemFile) {
        requireNonNull(pemFile, "pemFile");
        try {
            return new CaTrust(pemFile, load(pemFile));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM offers no TLS context", e);
        }
    }

    /** TLS sockets that trust the file's CAs, as of the handshake. */
    SSLSocketFactory socketFactory() {
        return socketFactory;
    }

    /** The file's CAs, read by {@link PemCertificates} as the commands' check reads them; fails naming key and file. */
    private static Loaded load(Path pemFile) {
        try {
            Version version = version(pemFile);
            List<X509Certificate> certificates = PemCertificates.read(pemFile);
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + i++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x509) {
                    return new Loaded(version, x509);
                }
            }
            throw new IllegalStateException("the JVM offers no X509 trust manager");
        } catch (PemCertificates.Unusable e) {
            throw new IllegalArgumentException("prometheus.auth.ca-file " + pemFile + " " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("prometheus.auth.ca-file " + pemFile + " cannot be read: "
                    + SecretFile.why(e), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("prometheus.auth.ca-file " + pemFile + " is not a PEM certificate file: "
                    + e.getMessage(), e);
        }
    }

    private static Version version(Path pemFile) throws IOException {
        BasicFileAttributes a = Files.readAttributes(pemFile, BasicFileAttributes.class);
        return new Version(a.lastModifiedTime(), a.size(), a.fileKey());
    }

    /**
     * Reads the file again if it changed since it was last read; true when new CAs are now trusted
     * (connections made under the old ones should then be dropped).
     */
    synchronized boolean refresh() {
        Loaded loaded = current;
        Version now;
        try {
            now = version(pemFile);
        } catch (IOException e) {
            now = null;
        }
        if (Objects.equals(now, loaded.version())) {
            return false;
        }
        try {
            current = load(pemFile);
        } catch (IllegalArgumentException e) {
            if (!Objects.equals(now, reportedBad)) {
                reportedBad = now;
                LOG.warn("{}; keeping the CAs read before", e.getMessage());
            }
            return false;
        }
        reportedBad = null;
        SSLSessionContext sessions = context.getClientSessionContext();
        for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
            SSLSession session = sessions.getSession(ids.nextElement());
            if (session != null) {
                session.invalidate();
            }
        }
        LOG.info("prometheus.auth.ca-file {} changed; trusting its certificates from now on", pemFile);
        return true;
    }

    private X509ExtendedTrustManager trust() {
        return current.trust();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trust().checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        trust().checkServerTrusted(chain, authType, engine);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust().checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        trust().checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        trust().checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        trust().checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return trust().getAcceptedIssuers();
    }
}
