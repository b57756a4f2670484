package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code signals} when Prometheus is away: exit 1 with the reason. (The live case is in ClosedLoopTest.) */
class SignalsCommandTest {

    @Test
    void unreachablePrometheusExitsOneWithTheReason(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("a.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  prometheus { url = "http://127.0.0.1:1", timeout = 2s, retry.max-attempts = 1 }
                  clusters = [{ namespace = milvus, name = prod, install = operator, milvus-version = "2.5",
                                components { queryNode {} } }]
                }
                """);
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SignalsCommand()).setErr(new PrintWriter(err)).execute("--config", conf.toString());
        assertEquals(1, exit);
        assertTrue(err.toString().contains("Prometheus at http://127.0.0.1:1 cannot be reached"), err.toString());
    }

    private static String config(Path dir, String prometheus) throws Exception {
        Path conf = dir.resolve("a.conf");
        Files.writeString(conf, """
                milvus-autoscaler {
                  prometheus { %s, timeout = 2s, retry.max-attempts = 1 }
                  clusters = [{ namespace = milvus, name = prod, install = operator, milvus-version = "2.5",
                                components { queryNode {} } }]
                }
                """.formatted(prometheus));
        return conf.toString();
    }

    private static String signals(String conf, int expectedExit) {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new SignalsCommand()).setErr(new PrintWriter(err)).execute("--config", conf);
        assertEquals(expectedExit, exit, err.toString());
        return err.toString();
    }

    /** A Prometheus that answered is not "unreachable": the words must send the reader to the credentials. */
    @Test
    void aPrometheusThatAnswers401IsAFailedQueryNotAnUnreachableOne(@TempDir Path dir) throws Exception {
        try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
            server.enqueue(new mockwebserver3.MockResponse.Builder().code(401).body("unauthorized").build());
            server.start();
            String url = server.url("/").toString().replaceAll("/$", "");
            String err = signals(config(dir, "url = \"" + url + "\""), 1);
            assertEquals("signals: Prometheus at " + url + ": query failed: prometheus HTTP 401: unauthorized",
                    err.strip());
        }
    }

    @Test
    void aPageThatIsNotJsonIsNamedSoWithoutGsonsAdvice(@TempDir Path dir) throws Exception {
        try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
            server.enqueue(new mockwebserver3.MockResponse.Builder().code(200)
                    .setHeader("Content-Type", "application/json").body("<html>Grafana</html>").build());
            server.start();
            String url = server.url("/").toString().replaceAll("/$", "");
            String err = signals(config(dir, "url = \"" + url + "\""), 1);
            assertEquals("signals: Prometheus at " + url + ": query failed: prometheus answered something that is not"
                    + " JSON (HTTP 200, application/json): is prometheus.url the API root?", err.strip());
        }
    }

    @Test
    void aMissingTokenFileNamesItsConfigKey(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("token");
        String err = signals(config(dir, "url = \"http://127.0.0.1:1\", auth.bearer-token-file = \"" + missing + "\""), 1);
        assertEquals("signals: Prometheus at http://127.0.0.1:1: query failed: cannot read bearer token file " + missing
                + " (prometheus.auth.bearer-token-file): no such file (NoSuchFileException)", err.strip());
    }
}
