package io.github.milvusautoscaler.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NabCsvReaderTest {

    private static LoadTrace read(String csv) throws IOException {
        return NabCsvReader.read("t", new StringReader(csv), "t.csv");
    }

    @Test
    void readsRowsAsOffsetsFromTheFirstTimestamp() throws IOException {
        LoadTrace t = read("timestamp,value\n2014-07-01 00:00:00,10844\n2014-07-01 00:30:00,8127\n\n2014-07-01 01:00:00,6210.5\n");
        assertEquals(Instant.parse("2014-07-01T00:00:00Z"), t.start());
        assertEquals(3, t.size());
        assertArrayEquals(new double[] {0, 1800, 3600}, new double[] {t.offset(0), t.offset(1), t.offset(2)});
        assertArrayEquals(new double[] {10844, 8127, 6210.5}, new double[] {t.value(0), t.value(1), t.value(2)});
        assertEquals(3600, t.durationSeconds());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "empty file                 | ''                                                                              | t.csv: empty file",
        "wrong header               | 'time,load\\n2014-07-01 00:00:00,1'                                             | t.csv line 1: header is 'time,load'",
        "header only                | 'timestamp,value\\n'                                                            | t.csv: no data rows after the header",
        "one row only               | 'timestamp,value\\n2014-07-01 00:00:00,1\\n'                                    | only one data row (line 2)",
        "value not a number         | 'timestamp,value\\n2014-07-01 00:00:00,1\\n2014-07-01 00:05:00,abc'             | t.csv line 3: value 'abc' is not a number",
        "NaN value                  | 'timestamp,value\\n2014-07-01 00:00:00,NaN\\n2014-07-01 00:05:00,1'             | t.csv line 2: value 'NaN' is not a number",
        "a Java float literal       | 'timestamp,value\\n2014-07-01 00:00:00,10f\\n2014-07-01 00:05:00,1'             | t.csv line 2: value '10f' is not a number",
        "infinite value             | 'timestamp,value\\n2014-07-01 00:00:00,1e400\\n2014-07-01 00:05:00,1'           | t.csv line 2: value 1e400 must be a finite number >= 0",
        "negative value             | 'timestamp,value\\n2014-07-01 00:00:00,1\\n2014-07-01 00:05:00,-3'              | t.csv line 3: value -3 must be a finite number >= 0",
        "bad timestamp              | 'timestamp,value\\n2014-07-01 00:00:00,1\\n2014-07-01T00:05:00,2'               | t.csv line 3: timestamp '2014-07-01T00:05:00' is not YYYY-MM-DD HH:MM:SS",
        "RFC 3339 (Prometheus)      | 'timestamp,value\\n2014-07-01T00:00:00Z,1'                                     | t.csv line 2: timestamp '2014-07-01T00:00:00Z' is not YYYY-MM-DD HH:MM:SS (it looks like RFC 3339: this reader takes UTC with a space, no T, no zone and no fraction)",
        "epoch seconds              | 'timestamp,value\\n1404172800,1'                                                | (it looks like epoch seconds: write it as UTC, e.g. date -u -d @1404172800 '+%Y-%m-%d %H:%M:%S')",
        "epoch milliseconds         | 'timestamp,value\\n1404172800000,1'                                             | (it looks like epoch milliseconds: divide by 1000",
        "quoted fields              | 'timestamp,value\\n\"2014-07-01 00:00:00\",1'                                     | (quoted fields are not read: remove the quotes)",
        "header in capitals         | 'Timestamp,Value\\n2014-07-01 00:00:00,1'                                        | header is 'Timestamp,Value', expected 'timestamp,value' (in lower case)",
        "Grafana export header      | '\"Time\",\"qps\"\\n2014-07-01 00:00:00,1'                                         | (a Grafana or spreadsheet export: write the header as timestamp,value and the rows unquoted)",
        "impossible date            | 'timestamp,value\\n2014-02-30 00:00:00,1\\n2014-07-01 00:05:00,2'               | t.csv line 2: timestamp '2014-02-30 00:00:00'",
        "missing value              | 'timestamp,value\\n2014-07-01 00:00:00,1\\n2014-07-01 00:05:00'                 | t.csv line 3: expected 'YYYY-MM-DD HH:MM:SS,number'",
        "extra column               | 'timestamp,value\\n2014-07-01 00:00:00,1,2\\n'                                   | t.csv line 2: expected 'YYYY-MM-DD HH:MM:SS,number'",
        "duplicate timestamp        | 'timestamp,value\\n2014-07-01 00:00:00,1\\n2014-07-01 00:05:00,2\\n2014-07-01 00:05:00,3' | t.csv line 4: duplicate timestamp 2014-07-01 00:05:00 (also on line 3)",
        "unsorted (blank line kept) | 'timestamp,value\\n2014-07-01 00:10:00,1\\n\\n2014-07-01 00:05:00,2'             | t.csv line 4: timestamp 2014-07-01 00:05:00 is before 2014-07-01 00:10:00 on line 2",
    })
    void badInputNamesTheFileAndLine(String name, String csv, String expected) {
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> read(csv.replace("\\n", "\n")));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }

    /**
     * A file that is not UTF-8 said "Input length = 1" (audit-input F3): one Latin-1 byte (0xE9, "é") is named by its
     * line and column, and a UTF-16 file (Excel's "Unicode text" save) by its byte-order mark.
     */
    @Test
    void aFileThatIsNotUtf8IsNamedByLineOrByteOrderMark(@TempDir Path dir) throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        for (int i = 0; i < 600; i++) {
            csv.append(String.format("2014-07-%02d %02d:%02d:00,%d%n", 1 + i / 288, i / 12 % 24, i % 12 * 5, 100 + i));
        }
        byte[] utf8 = csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream latin1 = new java.io.ByteArrayOutputStream();
        String[] lines = csv.toString().split("\n");
        for (int i = 0; i < lines.length; i++) {
            byte[] line = lines[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            if (i == 501) {
                latin1.write(line, 0, 5);
                latin1.write(0xE9);
                latin1.write(line, 5, line.length - 5);
            } else {
                latin1.write(line);
            }
            latin1.write('\n');
        }
        Path bad = dir.resolve("latin1.csv");
        Files.write(bad, latin1.toByteArray());
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> NabCsvReader.read(bad));
        assertEquals(bad + " line 502: byte 0xE9 at column 6 is not UTF-8 text; save the file as UTF-8", e.getMessage());

        byte[] body = csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        byte[] marked = new byte[body.length + 2];
        marked[0] = (byte) 0xFF;
        marked[1] = (byte) 0xFE;
        System.arraycopy(body, 0, marked, 2, body.length);
        Path utf16 = Files.write(dir.resolve("utf16.csv"), marked);
        e = assertThrows(TraceFormatException.class, () -> NabCsvReader.read(utf16));
        assertEquals(utf16 + ": UTF-16 text (byte-order mark FF FE), not UTF-8; save it as UTF-8 (CSV UTF-8 in Excel)",
                e.getMessage());
        assertEquals(600, NabCsvReader.read(Files.write(dir.resolve("ok.csv"), utf8)).size());

        // CR-only line ends (old Mac exports): the bad byte's line is counted as the reader counts lines.
        Path cr = Files.write(dir.resolve("latin1cr.csv"), new String(latin1.toByteArray(),
                java.nio.charset.StandardCharsets.ISO_8859_1).replace('\n', '\r')
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        e = assertThrows(TraceFormatException.class, () -> NabCsvReader.read(cr));
        assertEquals(cr + " line 502: byte 0xE9 at column 6 is not UTF-8 text; save the file as UTF-8", e.getMessage());

        // UTF-16 without a byte-order mark decodes as UTF-8 (its NULs are valid bytes): the header names them.
        Path bare = Files.write(dir.resolve("utf16bare.csv"), body);
        e = assertThrows(TraceFormatException.class, () -> NabCsvReader.read(bare));
        assertTrue(e.getMessage().startsWith(bare + " line 1: header is 't\\u0000i\\u0000m\\u0000e"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(NUL bytes between its letters: UTF-16 text without a byte-order mark;"
                + " save it as UTF-8)"), e.getMessage());
    }

    /** A NUL after a value was invisible in "value '8' is not a number" (alerts/input recheck NEW-4). */
    @Test
    void aControlCharacterInAValueIsShown() {
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> read("timestamp,value\n2014-07-01 00:00:00,8\0\n2014-07-01 00:05:00,1\n"));
        assertEquals("t.csv line 2: value '8\\u0000' is not a number", e.getMessage());
    }

    /** More rows than fit is refused at the first row past the limit, not with an OutOfMemoryError (audit-input F2). */
    @Test
    void moreRowsThanFitAreRefusedAtTheFirstRowPastTheLimit() throws IOException {
        String csv = "timestamp,value\n2014-07-01 00:00:00,1\n2014-07-01 00:00:01,2\n\n2014-07-01 00:00:02,3\n";
        assertEquals(3, NabCsvReader.read("t", new StringReader(csv), "t.csv", 3).size());
        TraceFormatException e = assertThrows(TraceFormatException.class,
                () -> NabCsvReader.read("t", new StringReader(csv), "t.csv", 2));
        assertTrue(e.getMessage().startsWith("t.csv line 5: more than 2 rows, the most a trace may have in memory;"
                + " average it to a coarser step first"), e.getMessage());
    }

    @Test
    void aMissingFileIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.csv");
        TraceFormatException e = assertThrows(TraceFormatException.class, () -> NabCsvReader.read(missing));
        assertTrue(e.getMessage().contains("cannot read trace file " + missing + ": no such file"), e.getMessage());
    }

    @Test
    void aFileIsNamedAfterItsBaseName(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("my_load.csv");
        Files.writeString(f, "timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 00:01:00,2\n");
        assertEquals("my_load", NabCsvReader.read(f).name());
    }

    @ParameterizedTest(name = "bundled {0}: {1} rows")
    @CsvSource({"nyc_taxi, 10320, 39197", "elb_request_count, 4032, 656", "twitter_volume_amzn, 15831, 1673"})
    void bundledTracesLoad(String name, int rows, double peak) {
        LoadTrace t = TraceRegistry.bundled(name);
        assertEquals(rows, t.size());
        assertEquals(peak, t.peak(), 1e-9);
        // elb_request_count misses 8 single points (600 s in a 300 s trace): a row missing now and then is no hole.
        assertEquals(java.util.List.of(), t.holes(), name);
    }

    /**
     * Rows more than 3 usual steps and 10 minutes apart are a hole: in a 15 s trace (a backtest export's step), lines
     * 6 and 7 lie 10m15s apart (a Prometheus outage), a hole named by its lines and times; 10m exactly (lines 8 and 9)
     * and the 105 s of a restart (lines 4 and 5) are not, nor would be 600 s in a 300 s trace (elb_request_count's).
     */
    @Test
    void rowsFurtherApartThanThreeUsualStepsAndTenMinutesAreAHole() throws IOException {
        StringBuilder csv = new StringBuilder("timestamp,value\n");
        long[] seconds = {0, 15, 30, 135, 150, 165, 780, 795, 1395, 1410, 1425, 1440, 1455};
        for (long s : seconds) {
            csv.append(String.format("2026-12-04 13:%02d:%02d,%d%n", s / 60, s % 60, 100 + s));
        }
        LoadTrace t = read(csv.toString());
        assertEquals(1, t.holes().size(), t.holes().toString());
        LoadTrace.Hole hole = t.holes().get(0);
        assertEquals(7, hole.beforeLine());
        assertEquals(8, hole.afterLine());
        assertEquals(Instant.parse("2026-12-04T13:02:45Z"), hole.from());
        assertEquals(Instant.parse("2026-12-04T13:13:00Z"), hole.to());
        assertEquals(java.time.Duration.ofSeconds(15), hole.usualStep());
        // Rescaling and compressing keep what the file had.
        assertEquals(t.holes(), t.rescaled(8, 200).compressed(2).holes());
    }
}
