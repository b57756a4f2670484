package io.github.milvusautoscaler.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The {@code --out} directory of {@code simulate}, {@code demo} and {@code backtest}: checked before a run, filled
 * after it so that it holds one whole run's report, and how an I/O failure is put in one line.
 *
 * <p>Why the directory is checked up front: a simulation can run for minutes, and a folder that cannot take
 * the reports was only found when they were moved in. Why each command leaves a {@value #MANIFEST} file naming
 * itself and its files: a rerun removes exactly the files of the run before (a decision log of a policy no
 * longer compared would otherwise read as part of the new report) and nothing else, and a command refuses a
 * folder holding another command's report instead of overwriting its report.md or deleting its decision logs
 * (a backtest's are the record of a rehearsal on the cluster's own history). Why the reasons are spelled out:
 * Java's {@link NoSuchFileException} and {@link AccessDeniedException} carry the OS's errno as the exception
 * type only, so their message is the bare path ("cannot write the reports: /proc/sim-out").
 */
final class OutputDirectory {

    /** The hidden file naming the command whose report a folder holds, then that report's files, one per line. */
    static final String MANIFEST = ".milvus-autoscaler-report";
    /** First line of the manifest, before the command's name. */
    private static final String WRITTEN_BY = "milvus-autoscaler ";
    /** Suffix of a file copied into --out but not yet renamed over the old one. */
    static final String PARTIAL = ".milvus-autoscaler-partial";

    private OutputDirectory() {
    }

    /** What a folder's {@value #MANIFEST} says: the command that wrote the report there and its files. */
    record Manifest(String command, List<String> files) {

        Manifest {
            Objects.requireNonNull(command, "command");
            files = List.copyOf(files);
        }

        /** The manifest in {@code dir}; empty when there is none or it is not one (a first line of another shape). */
        static Optional<Manifest> read(Path dir) throws IOException {
            Path file = dir.resolve(MANIFEST);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).startsWith(WRITTEN_BY)) {
                return Optional.empty();
            }
            // A name with a separator or a dot-dot is not one this class wrote: never delete outside the folder.
            List<String> names = lines.subList(1, lines.size()).stream()
                    .filter(n -> !n.isBlank() && !n.contains("/") && !n.contains("\\") && !n.equals("..")
                            && !n.equals("."))
                    .toList();
            return Optional.of(new Manifest(lines.get(0).substring(WRITTEN_BY.length()).strip(), names));
        }

        /** Writes this manifest into {@code dir} in one rename, so a reader never sees half of it. */
        void write(Path dir) throws IOException {
            Path partial = dir.resolve(MANIFEST + PARTIAL);
            Files.writeString(partial, WRITTEN_BY + command + "\n" + String.join("\n", files) + "\n",
                    StandardCharsets.UTF_8);
            Files.move(partial, dir.resolve(MANIFEST), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        }
    }

    /**
     * {@link #prepare(Path)}, and a refusal when {@code dir} holds the report of a command other than
     * {@code command}: "--out rehearsal holds a backtest report (chart.svg, decisions-milvus_prod_queryNode.jsonl,
     * report.json, report.md): give another folder or remove them".
     *
     * @return empty when the directory is usable, else one line naming it and the reason
     */
    static Optional<String> prepare(Path dir, String command) {
        Optional<String> unusable = prepare(dir);
        if (unusable.isPresent()) {
            return unusable;
        }
        try {
            Optional<Manifest> held = Manifest.read(dir);
            if (held.isPresent() && !held.get().command().equals(command)) {
                List<String> present = held.get().files().stream().filter(f -> Files.exists(dir.resolve(f))).sorted()
                        .toList();
                // Its files all removed, the folder holds nothing of that report to lose.
                return present.isEmpty() ? Optional.empty() : Optional.of("--out " + dir + " holds a "
                        + held.get().command() + " report (" + String.join(", ", present)
                        + "): give another folder or remove them");
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot read " + dir.resolve(MANIFEST) + ": " + reason(e));
        }
    }

    /**
     * Puts the run's files, written in {@code staged}, into {@code out} in place of the files the previous run of
     * {@code command} wrote there (its manifest says which), and returns where they went. Each is first moved in
     * under a hidden name, since a move from the temporary directory (another file system) is a copy that can fail
     * half-way, on a full disk say, and must not leave two runs' reports mixed: the old ones stay whole until every
     * new one is in. Then each is renamed over its old version, the manifest is written, and the previous run's
     * files this one did not write (decisions of a policy no longer compared, a worst-day chart of a longer trace)
     * and leftovers of a run cut short are deleted. Any other file is left alone.
     */
    static List<Path> replace(String command, Path staged, Path out) throws IOException {
        Objects.requireNonNull(command, "command");
        Optional<Manifest> previous = Manifest.read(out).filter(m -> m.command().equals(command));
        // A rename over something that is no file (a folder named report.md) fails after the files before it were
        // renamed, and left two runs' files mixed with the partial copies beside them (recheck 82, F1): refused first.
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staged)) {
            for (Path f : files) {
                Path dest = out.resolve(f.getFileName().toString());
                if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(dest, LinkOption.NOFOLLOW_LINKS)) {
                    throw new java.nio.file.FileSystemException(dest.toString(), null, Files.isDirectory(dest,
                            LinkOption.NOFOLLOW_LINKS) ? "Is a directory" : "Not a regular file");
                }
            }
        }
        List<Path> partials = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(staged)) {
            for (Path f : files) {
                Path partial = out.resolve("." + f.getFileName() + PARTIAL);
                partials.add(partial);
                Files.move(f, partial, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            for (Path p : partials) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        List<Path> written = new ArrayList<>();
        for (int i = 0; i < partials.size(); i++) {
            Path partial = partials.get(i);
            String name = partial.getFileName().toString();
            Path dest = out.resolve(name.substring(1, name.length() - PARTIAL.length()));
            try {
                Files.move(partial, dest, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                // Not undone (the old versions are gone): the copies not renamed are removed, and the error says
                // which files are of this run, so nobody reads the folder as one report.
                for (Path left : partials.subList(i, partials.size())) {
                    try {
                        Files.deleteIfExists(left);
                    } catch (IOException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw new java.nio.file.FileSystemException(dest.toString(), null, reason(e) + "; " + out
                        + " now holds " + (written.isEmpty() ? "none" : written.stream().map(p -> p.getFileName()
                        .toString()).sorted().collect(java.util.stream.Collectors.joining(", "))) + " of this run"
                        + " beside the files of the one before: run it again");
            }
            written.add(dest);
        }
        List<String> names = written.stream().map(p -> p.getFileName().toString()).sorted().toList();
        new Manifest(command, names).write(out);
        List<Path> stale = new ArrayList<>();
        for (String name : previous.map(Manifest::files).orElse(List.of())) {
            if (!names.contains(name)) {
                stale.add(out.resolve(name));
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(out, "." + "*" + PARTIAL)) {
            files.forEach(stale::add);
        }
        for (Path f : stale) {
            if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(f);
            }
        }
        return written;
    }

    /** The names the commands give their reports' files: a decision log per policy or target, report, charts. */
    private static final java.util.regex.Pattern REPORT_FILE =
            java.util.regex.Pattern.compile("decisions-.+\\.jsonl|report\\.(md|json)|chart(-[a-z-]+)?\\.svg");

    /**
     * The files in {@code out} named like a report's that this run did not write, sorted: left by a run whose
     * manifest was removed or by a copy, so {@link #replace} could not know them as a run's and kept them, where they
     * read as part of the new report (input audit F5). A note names them; nothing else is deleted.
     */
    static List<String> notOfThisRun(Path out, List<Path> written) throws IOException {
        java.util.Set<String> ours = new java.util.HashSet<>();
        written.forEach(p -> ours.add(p.getFileName().toString()));
        List<String> others = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(out)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!ours.contains(name) && REPORT_FILE.matcher(name).matches()
                        && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
                    others.add(name);
                }
            }
        }
        others.sort(Comparator.naturalOrder());
        return others;
    }

    /** The note for {@link #notOfThisRun}'s files, or empty: "note: --out sim-out also holds ... (left as is)". */
    static Optional<String> notOfThisRunNote(String command, Path out, List<Path> written) throws IOException {
        List<String> others = notOfThisRun(out, written);
        return others.isEmpty() ? Optional.empty() : Optional.of(command + ": note: --out " + out + " also holds "
                + String.join(", ", others) + ", not of this run (no report of this folder names "
                + (others.size() == 1 ? "it" : "them") + "); left as " + (others.size() == 1 ? "it is" : "they are"));
    }

    /**
     * A command's temporary directory that is also removed when the JVM stops mid-run (Ctrl-C, SIGTERM), where the
     * command's own {@code finally} never runs: an interrupted backtest left its decision logs in /tmp. Close it
     * when the run ends to delete it and drop the hook.
     */
    static final class Staging implements AutoCloseable {

        private final Path dir;
        private final Thread onExit;

        private Staging(Path dir) {
            this.dir = dir;
            this.onExit = new Thread(() -> deleteQuietly(dir), "delete " + dir.getFileName());
        }

        /** Creates a temporary directory named {@code prefix...} and registers its removal at JVM exit. */
        static Staging create(String prefix) throws IOException {
            Staging staging = new Staging(Files.createTempDirectory(prefix));
            Runtime.getRuntime().addShutdownHook(staging.onExit);
            return staging;
        }

        Path path() {
            return dir;
        }

        @Override
        public void close() {
            deleteQuietly(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(onExit);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway and finds nothing left to delete.
            }
        }
    }

    /** Deletes a command's temporary directory and what is in it, as far as it can: a leftover there is harmless. */
    static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException ignored) {
            // Best effort: the run's result already stands.
        }
    }

    /**
     * Creates {@code dir} (and its parents) if missing and proves a file can be created and deleted in it.
     *
     * @return empty when the directory is usable, else one line naming it and the reason
     */
    static Optional<String> prepare(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            return Optional.of("cannot write to --out " + dir + ": exists and is not a directory");
        }
        try {
            Files.createDirectories(dir);
            // Creating a file is what the command will do; the directory's permission bits alone do not say
            // (root ignores them, a read-only mount or /proc refuses regardless).
            Files.delete(Files.createTempFile(dir, ".milvus-autoscaler-probe-", ".tmp"));
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("cannot write to --out " + dir + ": "
                    + (e instanceof IOException io ? reason(io) : "denied by the security manager"));
        }
    }

    /**
     * The outermost of {@code dir} and its parents that does not exist yet, which {@link #prepare(Path)} would
     * create; null when {@code dir} exists. For {@link #removeCreated}.
     */
    static Path missing(Path dir) {
        Path first = null;
        for (Path p = dir.toAbsolutePath().normalize(); p != null && !Files.exists(p); p = p.getParent()) {
            first = p;
        }
        return first;
    }

    /**
     * After a run that wrote no report: removes {@code dir} and its parents up to {@code created} (from
     * {@link #missing} before {@link #prepare(Path)}), each only while it is empty, so a failed run leaves the file
     * system as it found it. Anything put there meanwhile stays, and so does every folder above it.
     */
    static void removeCreated(Path dir, Path created) {
        if (created == null) {
            return;
        }
        for (Path p = dir.toAbsolutePath().normalize(); p != null && p.startsWith(created); p = p.getParent()) {
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                return; // a file or link put in its place is someone else's
            }
            try {
                Files.delete(p);
            } catch (IOException notEmptyOrGone) {
                return;
            }
        }
    }

    /**
     * The file an I/O failure concerns, if it says, and the OS's reason: "/out/report.md: no space left on device".
     * Of a failed move or copy the destination is named: the source is the command's own temporary file.
     */
    static String describe(IOException e) {
        if (e instanceof FileSystemException f && (f.getOtherFile() != null || f.getFile() != null)) {
            return (f.getOtherFile() != null ? f.getOtherFile() : f.getFile()) + ": " + reason(e);
        }
        return reason(e);
    }

    /** The OS's reason alone, in the words of strerror(3), lower-case like the rest of a one-line message. */
    static String reason(IOException e) {
        String reason;
        if (e instanceof FileSystemException f && f.getReason() != null) {
            reason = f.getReason();
        } else if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof FileAlreadyExistsException) {
            reason = "file exists";
        } else if (e instanceof NotDirectoryException) {
            reason = "not a directory";
        } else if (e instanceof DirectoryNotEmptyException) {
            reason = "directory not empty";
        } else if (!(e instanceof FileSystemException) && e.getMessage() != null && !e.getMessage().isBlank()) {
            // A plain IOException's message is the reason itself ("No space left on device").
            reason = e.getMessage();
        } else {
            reason = e.getClass().getSimpleName();
        }
        String oneLine = reason.replaceAll("\\s*\\R\\s*", " ").strip();
        // "Not a directory" becomes "not a directory"; an acronym ("I/O error") keeps its case.
        boolean capitalized = oneLine.length() > 1 && Character.isUpperCase(oneLine.charAt(0))
                && Character.isLowerCase(oneLine.charAt(1));
        return capitalized ? oneLine.substring(0, 1).toLowerCase(Locale.ROOT) + oneLine.substring(1) : oneLine;
    }
}
