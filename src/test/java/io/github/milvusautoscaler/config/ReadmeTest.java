package io.github.milvusautoscaler.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** README.md's configuration reference is exactly what reference.conf generates: no key missing, none extra. */
class ReadmeTest {

    @Test
    void configurationReferenceMatchesReferenceConf() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf(ConfigReference.START);
        int end = readme.indexOf(ConfigReference.END);
        assertTrue(start >= 0 && end > start, "README.md has the generated configuration reference markers");
        // Once each: a pasted section that kept the old end marker left a stray one behind (recheck 88's remark).
        assertEquals(start, readme.lastIndexOf(ConfigReference.START), "README.md has one configuration reference start");
        assertEquals(end, readme.lastIndexOf(ConfigReference.END), "README.md has one configuration reference end");
        String section = readme.substring(start, end + ConfigReference.END.length());
        String expected = ConfigReference.markdown();
        if (!section.equals(expected)) {
            Path regenerated = Path.of("target", "config-reference.md");
            Files.createDirectories(regenerated.getParent());
            Files.writeString(regenerated, expected);
            assertEquals(expected, section, "README.md's configuration reference is out of date with reference.conf;"
                    + " the generated section is in " + regenerated + ": paste it between the markers");
        }
    }

    @Test
    void everyAlertHasARunbookEntryNamedForIt() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("- alert: (\\w+)")
                .matcher(Files.readString(Path.of("deploy/prometheus/milvus-autoscaler.rules.yaml")));
        int alerts = 0;
        while (m.find()) {
            alerts++;
            assertTrue(readme.contains("\n### " + m.group(1) + "\n"), "README runbook lacks ### " + m.group(1));
        }
        assertTrue(alerts >= 8, "found " + alerts + " alerts");
    }
}
