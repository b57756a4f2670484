package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.server.HttpApi;
import io.github.milvusautoscaler.testsupport.FakeKubernetesApi;
import io.github.milvusautoscaler.testsupport.Poll;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon whose start fails half-way releases everything it opened before the failing step: no thread
 * it started stays alive, no file it opened stays open, no port stays bound. Before the one assembly, the
 * constructor opened the decision log, then bound the port; when the port was taken, the log's file
 * handle leaked for the life of the JVM.
 */
class DaemonStartTest {

    @TempDir
    Path dir;

    private Path config(FakeKubernetesApi kube, int port, String decisionLog) throws IOException {
        Path file = dir.resolve("autoscaler.conf");
        Files.writeString(file, """
                milvus-autoscaler {
                  prometheus.url = "http://127.0.0.1:1"
                  kubernetes { kubeconfig = "%s", leader-election.enabled = false }
                  server { port = %d, bind-address = "127.0.0.1" }
                  decision-log.path = "%s"
                  clusters = [ { namespace = milvus, name = prod, install = helm, milvus-version = "2.5",
                                 components { queryNode {} } } ]
                }
                """.formatted(kube.writeKubeconfig(dir.resolve("kubeconfig")), port, decisionLog));
        return file;
    }

    @Test
    void aTakenPortClosesTheDecisionLogAndStopsEveryThreadStartedBefore() throws Exception {
        Path log = dir.resolve("decisions.jsonl");
        try (FakeKubernetesApi kube = FakeKubernetesApi.start();
             ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path file = config(kube, taken.getLocalPort(), log.toString());
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());

            assertThrows(HttpApi.PortInUseException.class,
                    () -> Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC()));

            assertTrue(Files.exists(log), "the decision log was opened before the port was tried");
            assertEquals(List.of(), openHandlesOf(log), "the decision log's file handle is closed");
            assertNoThreadStartedSince(before);
        }
    }

    @Test
    void anUnwritableDecisionLogLeavesThePortFreeAndNoThread() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        try (FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            // A directory where the log file should be: opening it for writing fails.
            Path file = config(kube, port, dir.toString());
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());

            RuntimeException e = assertThrows(RuntimeException.class,
                    () -> Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC()));

            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());
            assertNoThreadStartedSince(before);
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    @Test
    void aStartedDaemonClosesEveryPart() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        Path log = dir.resolve("decisions.jsonl");
        try (FakeKubernetesApi kube = FakeKubernetesApi.start()) {
            Path file = config(kube, port, log.toString());
            Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
            Daemon daemon = Daemon.start(file, ConfigLoader.load(file), Clock.systemUTC());
            assertTrue(daemon.openParts() > 0);
            assertEquals(1, openHandlesOf(log).size(), "the running daemon holds its decision log");

            daemon.close();

            assertEquals(0, daemon.openParts());
            assertEquals(List.of(), openHandlesOf(log));
            assertNoThreadStartedSince(before);
            try (ServerSocket again = new ServerSocket()) {
                again.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
        }
    }

    /** This JVM's file descriptors that point at {@code file} (Linux /proc). */
    private static List<Path> openHandlesOf(Path file) throws IOException {
        Path target = file.toAbsolutePath().normalize();
        List<Path> found = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(target)) {
                        found.add(fd);
                    }
                } catch (IOException e) {
                    // closed while listing
                }
            }
        }
        return found;
    }

    /** Every thread the start created has ended (threads end asynchronously after their pool shut down). */
    private static void assertNoThreadStartedSince(Set<Thread> before) {
        Poll.until("threads started by the daemon end", Duration.ofSeconds(10), () -> {
            List<String> alive = new ArrayList<>();
            for (Thread t : Thread.getAllStackTraces().keySet()) {
                if (!before.contains(t) && t.isAlive() && !jvmOwned(t)) {
                    alive.add(t.getName());
                }
            }
            return alive;
        }, List::isEmpty);
    }

    /** Threads the JDK or the fake server start on their own, whatever the daemon does. */
    private static boolean jvmOwned(Thread t) {
        String name = t.getName();
        return name.startsWith("ForkJoinPool") || name.startsWith("Common-Cleaner") || name.startsWith("Attach Listener")
                || name.startsWith("MockWebServer") || name.startsWith("process reaper") || name.startsWith("Notification Thread");
    }
}
