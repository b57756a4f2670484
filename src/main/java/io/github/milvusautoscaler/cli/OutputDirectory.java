package io.github.milvusautoscaler.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The {@code --out} directory of {@code simulate} and {@code demo}, and how an I/O failure is put in one line.
 *
 * <p>Why the directory is checked up front: a simulation can run for minutes, and a folder that cannot take
 * the reports was only found when they were moved in. Why the reasons are spelled out: Java's
 * {@link NoSuchFileException} and {@link AccessDeniedException} carry the OS's errno as the exception type
 * only, so their message is the bare path ("cannot write the reports: /proc/sim-out").
 */
final class OutputDirectory {

    private OutputDirectory() {
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
