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
}
