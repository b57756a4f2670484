package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Numbers in decision messages: short, and never showing a tie that decided something. */
class FormatTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "0.8234, 0.82",
            "0.005, 0.01",
            "0.04, 0.04",
            "12.345, 12.3",
            "99.96, 100.0",
            "153.7, 154",
            "-0.5, -0.50",
            "0, 0.00",
            "0.575, 0.58"})
    void formatsNumbersShortly(double v, String expected) {
        assertEquals(expected, Format.num(v));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            "0.82, >, 0.75, 0.82 > 0.75",
            "0.3996, <, 0.40, 0.3996 < 0.4000",
            "0.7512, >, 0.75, 0.751 > 0.750",
            "151.2, >, 150, 151 > 150",
            "150.4, >, 150, 150.4 > 150.0",
            "0.575, <=, 0.575, 0.58 <= 0.58",
            "0.75000001, >, 0.75, 0.75000001 > 0.75",
            "0.75004502251201, >, 0.75, 0.75005 > 0.75000",
            "0.39999, <, 0.40, 0.39999 < 0.40000",
            "0.3999999, <, 0.40, 0.3999999 < 0.4",
            "0.00001, <, 0.00002, 0.00001 < 0.00002"})
    void comparisonsShowEnoughDecimalsToTellTheSidesApart(double a, String op, double b, String expected) {
        assertEquals(expected, Format.compare(a, op, b));
    }
}
