package io.github.milvusautoscaler.sim;

import java.util.Locale;
import java.util.function.ToLongFunction;

/**
 * The scorecard's columns, in report order: one definition feeds report.json keys, the stdout
 * table and report.md, so the three cannot disagree.
 */
public enum Column {
    OVERLOAD_SECONDS("overloadSeconds", "overload s", "seconds with demand above ready capacity", Scorecard::overloadSeconds),
    HOT_SECONDS("hotSeconds", "hot s", "seconds with utilization above the hot threshold", Scorecard::hotSeconds),
    NODE_SECONDS("nodeSeconds", "node-seconds", "replicas (pending and warming included) x seconds: the cost", Scorecard::nodeSeconds),
    SCALE_OUTS("scaleOuts", "scale-outs", "scale-out actions", Scorecard::scaleOuts),
    SCALE_INS("scaleIns", "scale-ins", "scale-in actions", Scorecard::scaleIns),
    REVERSALS("reversals", "reversals", "actions reversing the previous one within the reversal window", Scorecard::reversals),
    LARGEST_STEP_DOWN("largestStepDown", "largest step-down", "most replicas removed by one action", Scorecard::largestStepDown),
    MIN_REPLICAS("minReplicas", "min replicas", "fewest replicas at any time", Scorecard::minReplicas),
    MAX_REPLICAS("maxReplicas", "max replicas", "most replicas at any time", Scorecard::maxReplicas);

    private final String key;
    private final String header;
    private final String meaning;
    private final ToLongFunction<Scorecard> value;

    Column(String key, String header, String meaning, ToLongFunction<Scorecard> value) {
        this.key = key;
        this.header = header;
        this.meaning = meaning;
        this.value = value;
    }

    /** The report.json key. */
    public String key() {
        return key;
    }

    /** The table header. */
    public String header() {
        return header;
    }

    /** One phrase saying what the number is. */
    public String meaning() {
        return meaning;
    }

    /** This column's value in {@code card}. */
    public long valueOf(Scorecard card) {
        return value.applyAsLong(card);
    }

    /** The value as the tables show it: grouped thousands for the big ones. */
    public String format(Scorecard card) {
        return String.format(Locale.ROOT, "%,d", valueOf(card));
    }
}
