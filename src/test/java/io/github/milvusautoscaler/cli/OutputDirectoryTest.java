package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --out holds one whole run's report: a rerun of the same command replaces exactly the files of the run before, a
 * folder holding another command's report is refused, and a failed write is one line with the file and the OS's
 * reason, which some Java exceptions leave out of their message.
 */
class OutputDirectoryTest {

    /**
     * A run stopped by SIGTERM or Ctrl-C never reaches its {@code finally}: the staging directory's shutdown hook
     * removes it (an interrupted backtest left its decision logs in /tmp). A child JVM stands in for the command.
     */
    @Test
    void aStagingDirectoryIsRemovedWhenTheJvmIsStoppedMidRun() throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), StagingProbe.class.getName())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            Path staged;
            try (var out = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8))) {
                staged = Path.of(out.readLine());
                assertTrue(Files.exists(staged.resolve("decisions.jsonl")), staged.toString());
                child.destroy(); // SIGTERM, as kubectl or a terminal's kill sends
                assertTrue(child.waitFor(30, java.util.concurrent.TimeUnit.SECONDS), "the child did not stop");
            }
            assertFalse(Files.exists(staged), staged + " left behind");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void closingAStagingDirectoryDeletesItAndItsFiles() throws Exception {
        Path staged;
        try (OutputDirectory.Staging staging = OutputDirectory.Staging.create("milvus-autoscaler-test-")) {
            staged = staging.path();
            Files.writeString(staged.resolve("report.md"), "x");
        }
        assertFalse(Files.exists(staged));
    }

    @TempDir
    Path dir;

    @Test
    void namesTheFileAndTheReason() {
        assertEquals("/out/report.md: permission denied", OutputDirectory.describe(new AccessDeniedException("/out/report.md")));
        assertEquals("/proc/sim-out: no such file or directory", OutputDirectory.describe(new NoSuchFileException("/proc/sim-out")));
        assertEquals("/ro/report.md: read-only file system",
                OutputDirectory.describe(new FileSystemException("/ro/report.md", null, "Read-only file system")));
        assertEquals("/out/.chart.svg.milvus-autoscaler-partial: no such file or directory", OutputDirectory.describe(
                new NoSuchFileException("/tmp/sim/chart.svg", "/out/.chart.svg.milvus-autoscaler-partial", null)));
        assertEquals("no space left on device", OutputDirectory.describe(new IOException("No space left on device")));
        assertEquals("I/O error", OutputDirectory.describe(new IOException("I/O error")));
    }

    @Test
    void aRerunReplacesTheRunBeforeAndLeavesEveryOtherFile() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        // A decision log name the command writes, but not by this command's run: not in its manifest, so it stays.
        Files.writeString(out.resolve("decisions-by-hand.jsonl"), "mine too");
        assertEquals(List.of(out.resolve("decisions-a.jsonl"), out.resolve("decisions-b.jsonl"), out.resolve("report.md")),
                sorted(OutputDirectory.replace("simulate", staged("report.md", "decisions-a.jsonl", "decisions-b.jsonl"), out)));
        assertEquals("simulate\nreport.md", Files.readString(out.resolve("report.md")).strip());
        assertEquals(new OutputDirectory.Manifest("simulate", List.of("decisions-a.jsonl", "decisions-b.jsonl", "report.md")),
                OutputDirectory.Manifest.read(out).orElseThrow());
        // The second run compares only policy a: b's log goes, a's and the report are the new ones.
        Files.writeString(out.resolve(".chart.svg" + OutputDirectory.PARTIAL), "left by a killed run");
        OutputDirectory.replace("simulate", staged("report.md", "decisions-a.jsonl"), out);
        assertEquals(new TreeSet<>(Set.of(OutputDirectory.MANIFEST, "notes.txt", "decisions-by-hand.jsonl", "report.md",
                "decisions-a.jsonl")), names(out));
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
        assertEquals("mine too", Files.readString(out.resolve("decisions-by-hand.jsonl")));
        assertEquals(new OutputDirectory.Manifest("simulate", List.of("decisions-a.jsonl", "report.md")),
                OutputDirectory.Manifest.read(out).orElseThrow());
    }

    /**
     * A file of the report whose name is taken by a folder is refused before anything moves: the rename over it failed
     * after the files before it were renamed, and the folder held two runs' files and the partial copies (recheck 82,
     * F1).
     */
    @Test
    void aReportFileWhoseNameIsAFolderIsRefusedBeforeAnythingMoves() throws IOException {
        Path out = Files.createDirectories(dir.resolve("blocked"));
        OutputDirectory.replace("simulate", staged("chart.svg", "report.md", "report.json"), out);
        Files.delete(out.resolve("report.md"));
        Files.createDirectory(out.resolve("report.md"));
        Set<String> before = names(out);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                () -> OutputDirectory.replace("simulate", staged("chart.svg", "report.md", "report.json", "x.jsonl"), out));
        assertEquals(out.resolve("report.md") + ": is a directory", OutputDirectory.describe(e));
        assertEquals(before, names(out), "nothing moved, no partial copy left");
        assertEquals("simulate\nchart.svg", Files.readString(out.resolve("chart.svg")).strip(), "the run before whole");
    }

    /**
     * Report-shaped files no manifest names (its manifest removed, or copied in) are kept, and a note names them: they
     * read as part of the new report (input audit F5: a removed manifest left an older run's decision logs silently).
     */
    @Test
    void reportShapedFilesNotOfThisRunAreNamedInANote() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        OutputDirectory.replace("simulate", staged("report.md", "decisions-a.jsonl", "decisions-hpa-milvus.jsonl"), out);
        Files.delete(out.resolve(OutputDirectory.MANIFEST));
        Files.writeString(out.resolve("notes.txt"), "mine");
        List<Path> written = OutputDirectory.replace("simulate", staged("report.md", "decisions-a.jsonl"), out);
        assertEquals(List.of("decisions-hpa-milvus.jsonl"), OutputDirectory.notOfThisRun(out, written));
        assertEquals(Optional.of("simulate: note: --out " + out + " also holds decisions-hpa-milvus.jsonl, not of this"
                + " run (no report of this folder names it); left as it is"),
                OutputDirectory.notOfThisRunNote("simulate", out, written));
        assertTrue(Files.exists(out.resolve("decisions-hpa-milvus.jsonl")), "kept: no manifest says whose it is");
        // Never adopted into the manifest (that would let a later run delete a file it never wrote): named every run.
        written = OutputDirectory.replace("simulate", staged("report.md", "decisions-a.jsonl"), out);
        assertEquals(List.of("decisions-hpa-milvus.jsonl"), OutputDirectory.notOfThisRun(out, written),
                "the manifest names only the files its run wrote");
    }

    @Test
    void aFolderHoldingAnotherCommandsReportIsRefusedNamingItsFiles() throws IOException {
        Path out = Files.createDirectories(dir.resolve("rehearsal"));
        OutputDirectory.replace("backtest", staged("report.md", "decisions-milvus_prod_queryNode.jsonl"), out);
        assertEquals(Optional.of("--out " + out + " holds a backtest report (decisions-milvus_prod_queryNode.jsonl,"
                + " report.md): give another folder or remove them"), OutputDirectory.prepare(out, "simulate"));
        assertEquals(Optional.empty(), OutputDirectory.prepare(out, "backtest"));
        // Once its files are removed, the manifest alone names nothing to lose: the folder is taken.
        Files.delete(out.resolve("report.md"));
        Files.delete(out.resolve("decisions-milvus_prod_queryNode.jsonl"));
        assertEquals(Optional.empty(), OutputDirectory.prepare(out, "simulate"));
        assertEquals(Optional.empty(), OutputDirectory.prepare(dir.resolve("new"), "simulate"));
        assertTrue(Files.isDirectory(dir.resolve("new")), "prepare creates a missing --out");
    }

    @Test
    void aManifestNamingFilesOutsideTheFolderDeletesNothingThere() throws IOException {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path outside = Files.writeString(dir.resolve("precious.txt"), "keep");
        Files.writeString(out.resolve(OutputDirectory.MANIFEST), "milvus-autoscaler simulate\n../precious.txt\n..\n"
                + outside + "\nreport.md\n");
        assertEquals(List.of("report.md"), OutputDirectory.Manifest.read(out).orElseThrow().files());
        OutputDirectory.replace("simulate", staged("chart.svg"), out);
        assertEquals("keep", Files.readString(outside));
        // And a file that is not a manifest of ours is not read as one.
        Files.writeString(out.resolve(OutputDirectory.MANIFEST), "something else\nchart.svg\n");
        assertEquals(Optional.empty(), OutputDirectory.Manifest.read(out));
        assertFalse(OutputDirectory.prepare(out, "demo").isPresent());
    }

    /** A temporary directory holding files with the given names, each containing "simulate\n" and its name. */
    private Path staged(String... names) throws IOException {
        Path staged = Files.createTempDirectory(dir, "staged-");
        for (String n : names) {
            Files.writeString(staged.resolve(n), "simulate\n" + n);
        }
        return staged;
    }

    private static List<Path> sorted(List<Path> paths) {
        return paths.stream().sorted().toList();
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new TreeSet<>(files.map(p -> p.getFileName().toString()).toList());
        }
    }
}
