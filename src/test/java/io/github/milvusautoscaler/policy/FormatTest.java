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
            "99.96, 100",
            "9.996, 10.0",
            "99.94, 99.9",
            "153.7, 154",
            "-0.5, -0.50",
            "0, 0.00",
            "0.575, 0.58"})
    void formatsNumbersShortly(double v, String expected) {
        assertEquals(expected, Format.num(v));
    }

    /** A value against a configured level: the level as configured, the value as precise as telling them apart needs. */
    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource({
            // The target as configured; the value as num prints it, still above it and closer than it is far.
            "0.585, >, 0.575, 0.59 > 0.575",
            "0.88, >, 0.8475, 0.88 > 0.8475",
            // 0.849 prints 0.85 either way; 0.8474 would print 0.85 <= 0.8475: four decimals then.
            "0.8474, <=, 0.8475, 0.8474 <= 0.8475",
            // 0.58 is right but off by more than the value is from the target: the value exactly.
            "0.5750004, >, 0.575, 0.5750004 > 0.575",
            "0.45, >=, 0.4, 0.45 >= 0.40",
            "151.2, >, 150, 151 > 150",
            "150.4, >, 150, 150.4 > 150",
            "Infinity, >, 0.575, Infinity > 0.575"})
    void aValueAgainstALevelPrintsTheLevelAsConfigured(double value, String op, double level, String expected) {
        assertEquals(expected, Format.against(value, op, level));
    }

    /**
     * A ceil() in a message holds as printed: the value gets the decimals it takes (message audit M1, where
     * "ceil(3.39/0.8475) = 5" read 4 and "ceil(6 x 0.77/0.58) = 9" read 8).
     */
    @ParameterizedTest(name = "ceil({1} x {0}/{2}) = {3} prints {4}")
    @CsvSource({
            // 6 x 0.77/0.575 = 8.03: the value as num prints it is enough once the divisor is printed in full.
            "0.7699, 6, 0.575, 9, 0.77",
            // 3.39/0.8475 = 4.0 exactly; the load was 3.3901, which needs four decimals to give 5.
            "3.3901, 1, 0.8475, 5, 3.3901",
            // 9 x 0.7666/0.575 = 11.999: 12, where "0.77" gives 12.05 and "0.767" 12.005, both 13.
            "0.7666, 9, 0.575, 12, 0.7666",
            // A result the value gives as printed needs nothing more.
            "1.10, 3, 0.575, 6, 1.10"})
    void aCeilHoldsAsPrinted(double value, double factor, double divisor, int result, String expected) {
        assertEquals(expected, Format.ceilTerm(value, factor, divisor, result));
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
            "0.00001, <, 0.00002, 0.00001 < 0.00002",
            "Infinity, >, 0.575, Infinity > 0.58"})
    void comparisonsShowEnoughDecimalsToTellTheSidesApart(double a, String op, double b, String expected) {
        assertEquals(expected, Format.compare(a, op, b));
    }
}
