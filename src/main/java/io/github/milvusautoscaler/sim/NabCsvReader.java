package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.ResolverStyle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a trace in the Numenta Anomaly Benchmark's CSV format: a header {@code timestamp,value},
 * then one {@code YYYY-MM-DD HH:MM:SS,number} row per sample, oldest first. Timestamps are read
 * as UTC: NAB files carry no zone. Most of the simulator needs only their differences; scheduled floors and
 * the forecast's days read the wall clock, so a trace recorded in local time (nyc_taxi: New York) is simulated
 * with those zones given as UTC (README, "Peaks, seasons and scheduled floors"). Reading it in its own zone
 * would not help: a local-time trace folds the autumn's repeated hour into one row.
 *
 * <p>Any bad row stops the read with the source name and the line number (the header is line 1),
 * because a silently skipped row would shift every later decision.
 */
public final class NabCsvReader {

    /** The only header NAB files have. */
    public static final String HEADER = "timestamp,value";

    /**
     * The most rows one trace may have: each costs about 20 bytes here and as much again in every copy a run makes
     * (rescaled, compressed, per lane), so 20 million take about 2 GB; a 2 GB file of 80 million 1 s rows ended in an
     * OutOfMemoryError stack trace (audit-input F2). A year at 1 s is 31.5 million rows, though the simulator reads a
     * trace only at its tick (15 s): points finer than that change no decision.
     */
    public static final int MAX_ROWS = 20_000_000;

    /** A decimal number as a CSV writes it: 5, -3, 0.25, .5, 1e3, 6.02E+23. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);

    private NabCsvReader() {
    }

    /**
     * {@code at} as a row writes it, in UTC: {@code 2026-12-04 13:11:01}. What backtest --export-trace writes and
     * what simulate's messages quote, so both read as the file does.
     */
    public static String timestamp(Instant at) {
        return TIMESTAMP.format(at.atOffset(ZoneOffset.UTC));
    }

    /**
     * Reads {@code file}; the trace is named after the file without {@code .csv}.
     *
     * @throws TraceFormatException naming the file (and line) when it cannot be read or parsed
     */
    public static LoadTrace read(Path file) {
        requireNonNull(file, "file");
        String fileName = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        String name = fileName.endsWith(".csv") ? fileName.substring(0, fileName.length() - 4) : fileName;
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new TraceFormatException("cannot read trace file " + file + ": "
                    + (Files.exists(file) ? "not a readable regular file" : "no such file"));
        }
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(name, in, file.toString());
        } catch (CharacterCodingException e) {
            throw new TraceFormatException(notUtf8(file), e);
        } catch (IOException e) {
            throw new TraceFormatException("cannot read trace file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Where a file stops being UTF-8, found by a second pass line by line (the decoder reads ahead, so the line the
     * first pass had reached is not the bad one): "t.csv line 102: byte 0xE9 is not UTF-8 text; save the file as
     * UTF-8"; a UTF-16 byte-order mark (Excel's "Unicode text") is named as such. It said "Input length = 1"
     * (audit-input F3).
     */
    static String notUtf8(Path file) {
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder();
            int number = 1;
            int b;
            boolean more = true;
            boolean afterCr = false;
            while (more) {
                b = in.read();
                more = b != -1;
                if (b == '\n' && afterCr) {
                    // The second half of a CRLF: its line ended at the CR.
                    afterCr = false;
                    continue;
                }
                afterCr = b == '\r';
                // A line ends at LF, CRLF or a lone CR, as BufferedReader.readLine counts them for the first pass.
                if (more && b != '\n' && b != '\r') {
                    line.write(b);
                    continue;
                }
                byte[] bytes = line.toByteArray();
                if (number == 1 && bytes.length >= 2 && ((bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE
                        || (bytes[0] & 0xFF) == 0xFE && (bytes[1] & 0xFF) == 0xFF)) {
                    return file + ": UTF-16 text (byte-order mark " + String.format("%02X %02X", bytes[0] & 0xFF,
                            bytes[1] & 0xFF) + "), not UTF-8; save it as UTF-8 (CSV UTF-8 in Excel)";
                }
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                try {
                    utf8.reset().decode(buffer);
                } catch (CharacterCodingException bad) {
                    return file + " line " + number + ": byte " + String.format("0x%02X", bytes[buffer.position()] & 0xFF)
                            + " at column " + (buffer.position() + 1) + " is not UTF-8 text; save the file as UTF-8";
                }
                line.reset();
                number++;
            }
            return file + ": not UTF-8 text; save the file as UTF-8";
        } catch (IOException e) {
            return "cannot read trace file " + file + ": " + e.getMessage();
        }
    }

    /**
     * Reads NAB CSV from {@code in}.
     *
     * @param name   the trace's name in reports
     * @param in     the CSV text
     * @param source what error messages call the input (a path or {@code bundled nyc_taxi.csv})
     * @throws TraceFormatException naming {@code source} and the line of the first bad row
     */
    public static LoadTrace read(String name, Reader in, String source) throws IOException {
        return read(name, in, source, MAX_ROWS);
    }

    /** As {@link #read(String, Reader, String)}, with at most {@code maxRows} rows (tests use a few). */
    static LoadTrace read(String name, Reader in, String source, int maxRows) throws IOException {
        requireNonNull(name, "name");
        requireNonNull(in, "in");
        requireNonNull(source, "source");
        BufferedReader lines = in instanceof BufferedReader b ? b : new BufferedReader(in);
        String header = lines.readLine();
        if (header == null) {
            throw new TraceFormatException(source + ": empty file, expected the header '" + HEADER + "'");
        }
        if (header.startsWith("\uFEFF")) {
            header = header.substring(1);
        }
        if (!header.strip().equals(HEADER)) {
            throw new TraceFormatException(source + " line 1: header is '" + abbreviate(header.strip()) + "', expected '"
                    + HEADER + "'" + (header.strip().equalsIgnoreCase(HEADER) ? " (in lower case)"
                    : header.indexOf('\u0000') >= 0 ? " (NUL bytes between its letters: UTF-16 text without a byte-order"
                    + " mark; save it as UTF-8)" : header.contains("\"")
                    ? " (a Grafana or spreadsheet export: write the header as " + HEADER + " and the rows unquoted)" : ""));
        }
        double[] offsets = new double[1024];
        double[] values = new double[1024];
        int[] lineOf = new int[1024];
        int n = 0;
        long firstEpoch = 0;
        long previousEpoch = 0;
        String previousText = null;
        int previousLine = 0;
        int lineNumber = 1;
        String line;
        while ((line = lines.readLine()) != null) {
            lineNumber++;
            if (line.isBlank()) {
                continue;
            }
            int comma = line.indexOf(',');
            if (comma < 0 || line.indexOf(',', comma + 1) >= 0) {
                throw new TraceFormatException(source + " line " + lineNumber + ": expected 'YYYY-MM-DD HH:MM:SS,number',"
                        + " got '" + abbreviate(line) + "'");
            }
            String timeText = line.substring(0, comma).strip();
            String valueText = line.substring(comma + 1).strip();
            long epoch;
            try {
                epoch = LocalDateTime.parse(timeText, TIMESTAMP).toEpochSecond(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new TraceFormatException(source + " line " + lineNumber + ": timestamp '" + abbreviate(timeText)
                        + "' is not YYYY-MM-DD HH:MM:SS" + timestampHint(timeText));
            }
            double value;
            try {
                // Decimal only: Double.parseDouble also takes "10f", "1.5d", "NaN" and a trailing control character.
                if (!DECIMAL.matcher(valueText).matches()) {
                    throw new NumberFormatException(valueText);
                }
                value = Double.parseDouble(valueText);
            } catch (NumberFormatException e) {
                throw new TraceFormatException(source + " line " + lineNumber + ": value '" + abbreviate(valueText)
                        + "' is not a number");
            }
            if (!Double.isFinite(value) || value < 0) {
                throw new TraceFormatException(source + " line " + lineNumber + ": value " + valueText
                        + " must be a finite number >= 0 (it is a load)");
            }
            if (n == 0) {
                firstEpoch = epoch;
            } else if (epoch == previousEpoch) {
                throw new TraceFormatException(source + " line " + lineNumber + ": duplicate timestamp " + timeText
                        + " (also on line " + previousLine + ")");
            } else if (epoch < previousEpoch) {
                throw new TraceFormatException(source + " line " + lineNumber + ": timestamp " + timeText
                        + " is before " + previousText + " on line " + previousLine + "; rows must be sorted oldest first");
            }
            if (n == maxRows) {
                throw new TraceFormatException(String.format(Locale.ROOT, "%s line %d: more than %,d rows, the"
                        + " most a trace may have in memory; average it to a coarser step first (the simulator reads it"
                        + " every sim.tick, 15s by default, so finer points change no decision)", source, lineNumber,
                        maxRows));
            }
            if (n == offsets.length) {
                offsets = Arrays.copyOf(offsets, n * 2);
                values = Arrays.copyOf(values, n * 2);
                lineOf = Arrays.copyOf(lineOf, n * 2);
            }
            offsets[n] = epoch - firstEpoch;
            values[n] = value;
            lineOf[n] = lineNumber;
            n++;
            previousEpoch = epoch;
            previousText = timeText;
            previousLine = lineNumber;
        }
        if (n == 0) {
            throw new TraceFormatException(source + ": no data rows after the header");
        }
        if (n == 1) {
            throw new TraceFormatException(source + ": only one data row (line " + previousLine
                    + "); a trace needs at least two to span any time");
        }
        Instant start = Instant.ofEpochSecond(firstEpoch);
        return new LoadTrace(name, start, Arrays.copyOf(offsets, n), Arrays.copyOf(values, n),
                holes(offsets, lineOf, n, start));
    }

    /**
     * The steps longer than {@link LoadTrace#HOLE_STEPS} times the trace's usual step, the median step between its
     * rows, and than {@link LoadTrace#HOLE_AT_LEAST}: a 15 s trace with a row missing now and then (30 s) or a
     * Prometheus restart (105 s) has no hole; 2h58m45s between two of its rows is one.
     * The median, not the mean, so one long hole cannot raise the measure it is judged by.
     */
    static List<LoadTrace.Hole> holes(double[] offsets, int[] lineOf, int n, Instant start) {
        double[] steps = new double[n - 1];
        for (int i = 1; i < n; i++) {
            steps[i - 1] = offsets[i] - offsets[i - 1];
        }
        double[] sorted = steps.clone();
        Arrays.sort(sorted);
        double usual = sorted[(sorted.length - 1) / 2];
        Duration usualStep = Duration.ofMillis(Math.round(usual * 1000));
        List<LoadTrace.Hole> holes = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            if (LoadTrace.isHole(steps[i], usual)) {
                holes.add(new LoadTrace.Hole(lineOf[i], lineOf[i + 1], start.plusSeconds((long) offsets[i]),
                        start.plusSeconds((long) offsets[i + 1]), usualStep));
            }
        }
        return holes;
    }

    /**
     * What a refused timestamp looks like, for the exports people have (audit-input F6): Prometheus' and Grafana's
     * RFC 3339, epoch seconds or milliseconds, quoted fields. Empty when it looks like none of them.
     */
    static String timestampHint(String text) {
        if (text.startsWith("\"")) {
            return " (quoted fields are not read: remove the quotes)";
        }
        if (text.matches("\\d{9,10}(\\.\\d+)?")) {
            return " (it looks like epoch seconds: write it as UTC, e.g. date -u -d @" + text.split("\\.")[0]
                    + " '+%Y-%m-%d %H:%M:%S')";
        }
        if (text.matches("\\d{12,13}")) {
            return " (it looks like epoch milliseconds: divide by 1000 and write it as UTC YYYY-MM-DD HH:MM:SS)";
        }
        if (text.matches("\\d{4}-\\d\\d-\\d\\dT.*")) {
            return " (it looks like RFC 3339: this reader takes UTC with a space, no T, no zone and no fraction)";
        }
        return "";
    }

    /**
     * At most 60 characters, with control characters made visible ({@code \u0000}): a NUL after a value read as
     * "value '8' is not a number" on a terminal (alerts/input recheck NEW-4).
     */
    private static String abbreviate(String s) {
        String cut = s.length() <= 60 ? s : s.substring(0, 57) + "...";
        StringBuilder b = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
