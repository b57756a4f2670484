package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

/** A failed write is one line with the file and the OS's reason, which some Java exceptions leave out of their message. */
class OutputDirectoryTest {

    @Test
    void namesTheFileAndTheReason() {
        assertEquals("/out/report.md: permission denied", OutputDirectory.describe(new AccessDeniedException("/out/report.md")));
        assertEquals("/proc/sim-out: no such file or directory", OutputDirectory.describe(new NoSuchFileException("/proc/sim-out")));
        assertEquals("/ro/report.md: read-only file system",
                OutputDirectory.describe(new FileSystemException("/ro/report.md", null, "Read-only file system")));
        assertEquals("/out/.chart.svg.simulate-partial: no such file or directory", OutputDirectory.describe(
                new NoSuchFileException("/tmp/sim/chart.svg", "/out/.chart.svg.simulate-partial", null)));
        assertEquals("no space left on device", OutputDirectory.describe(new IOException("No space left on device")));
        assertEquals("I/O error", OutputDirectory.describe(new IOException("I/O error")));
    }
}
