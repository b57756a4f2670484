package io.github.milvusautoscaler.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The kubectl version check of {@link Tools#kubectl()}: Debian 12's kubectl 1.20 (whose kustomize
 * cannot render the overlays) is refused with its version named, 1.27 and later pass, and a vendor
 * build's "32+" minor is read as 32. Outputs as the real kubectl prints them.
 */
class KubectlVersionTest {

    /** {@code kubectl version --client -o json} of Debian 12's kubernetes-client. */
    private static final String DEBIAN_1_20 = """
            {
              "clientVersion": {
                "major": "1",
                "minor": "20",
                "gitVersion": "v1.20.2",
                "platform": "linux/amd64"
              }
            }
            """;

    private static String client(String major, String minor, String git) {
        return "{\"clientVersion\": {\"major\": \"" + major + "\", \"minor\": \"" + minor
                + "\", \"gitVersion\": \"" + git + "\"}, \"kustomizeVersion\": \"v5.5.0\"}";
    }

    @Test
    void debiansKubectlIsRefusedNamingItsVersionAndTheMinimum() {
        Optional<String> problem = Tools.kubectlVersionProblem(DEBIAN_1_20);
        assertEquals(Optional.of("found kubectl v1.20.2, older than 1.27"), problem);
    }

    @Test
    void oneVersionBelowTheMinimumIsRefused() {
        assertTrue(Tools.kubectlVersionProblem(client("1", "26", "v1.26.15")).isPresent());
    }

    @Test
    void theMinimumAndLaterPass() {
        assertEquals(Optional.empty(), Tools.kubectlVersionProblem(client("1", "27", "v1.27.0")));
        assertEquals(Optional.empty(), Tools.kubectlVersionProblem(client("1", "32", "v1.32.4")));
    }

    @Test
    void aVendorMinorWithAPlusIsReadAsItsNumber() {
        assertEquals(Optional.empty(), Tools.kubectlVersionProblem(client("1", "32+", "v1.32.4-eks")));
        assertEquals(Optional.of("found kubectl v1.20.5-gke, older than 1.27"),
                Tools.kubectlVersionProblem(client("1", "20+", "v1.20.5-gke")));
    }

    @Test
    void aWarningBeforeTheJsonIsSkipped() {
        assertEquals(Optional.empty(),
                Tools.kubectlVersionProblem("WARNING: some notice\n" + client("1", "30", "v1.30.1")));
    }

    @Test
    void outputWithoutAVersionIsAProblemNotAPass() {
        assertTrue(Tools.kubectlVersionProblem("error: unknown flag: --output").isPresent());
        assertTrue(Tools.kubectlVersionProblem("{\"serverVersion\": {}}").isPresent());
        assertTrue(Tools.kubectlVersionProblem(client("", "", "")).orElseThrow().contains("cannot read its version"));
    }
}
