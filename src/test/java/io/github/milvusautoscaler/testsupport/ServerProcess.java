package io.github.milvusautoscaler.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One external server binary run by a test: started on a loopback port, polled until ready, stopped
 * through its own {@link Process} handle (never by name), restartable on the same port and data.
 */
final class ServerProcess {

    /** What a test prints when a binary is missing: the suite fails rather than skips. */
    static final String INSTALL_COMMAND =
            "apt-get update && apt-get install -y prometheus prometheus-alertmanager victoria-metrics";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path binary;
    private final Path log;
    private Process process;

    ServerProcess(String name, Path binary, Path log) {
        this.name = name;
        this.binary = binary;
        this.log = log;
    }

    /** Fails with the install command when the binary is not there. */
    static void requireBinary(Path binary) {
        if (!Files.isExecutable(binary)) {
            throw new IllegalStateException(binary + " is missing; install it with: " + INSTALL_COMMAND);
        }
    }

    /** A loopback port free right now (the server binds it a moment later). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a file through a temp file and a rename, so a watcher never reads it half-written. */
    static void writeAtomically(Path file, String content) {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder left behind is harmless
        }
    }

    /** Starts the binary with {@code args} and polls {@code readyUrl} until it answers 200. */
    synchronized void start(List<String> args, URI readyUrl) {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(name + " is already running");
        }
        List<String> command = new java.util.ArrayList<>();
        command.add(binary.toString());
        command.addAll(args);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + " (" + binary + "): " + e.getMessage()
                    + "; install it with: " + INSTALL_COMMAND, e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long pause = 20;
        while (true) {
            if (!process.isAlive()) {
                String tail = tail();
                String said = name + " exited with " + process.exitValue() + " while starting:\n" + tail;
                throw tail.contains("address already in use") ? new PortTaken(said) : new IllegalStateException(said);
            }
            if (answers(readyUrl)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IllegalStateException(name + " not ready at " + readyUrl + " within 30s:\n" + tail());
            }
            sleep(pause);
            pause = Math.min(200, pause * 2);
        }
    }

    /**
     * The server could not bind its port: found free, it was taken before the server bound it (an outgoing
     * connection's ephemeral port, in another test JVM: a port a backfill kept waiting a minute was, once in CI).
     */
    static final class PortTaken extends IllegalStateException {
        PortTaken(String message) {
            super(message);
        }
    }

    /** Stops the process this object started (SIGTERM, then SIGKILL after 20 s). */
    synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The last lines the server wrote, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static boolean answers(URI url) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).GET()
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static String get(URI url) {
        return send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build());
    }

    static String post(URI url, String body) {
        return send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** Sends a request and returns the body of a 2xx answer; anything else fails with the status and body. */
    private static String send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(request.method() + " " + request.uri() + " answered "
                        + response.statusCode() + ": " + response.body());
            }
            return response.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void appendLine(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
