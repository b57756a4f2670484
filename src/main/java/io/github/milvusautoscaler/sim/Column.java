package io.github.milvusautoscaler.sim;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.function.ToDoubleBiFunction;
import java.util.function.ToLongFunction;

/**
 * The scorecard's columns, in report order: one definition feeds report.json keys, the stdout
 * table and report.md, so the three cannot disagree. A column is a {@link Type#COUNT} read from
 * the scorecard alone, or a {@link Type#RATIO} of the scorecard against the run's clairvoyant
 * bound (absent when the result carries none).
 */
public enum Column {
    OVERLOAD_SECONDS("overloadSeconds", "overload s", "seconds with demand above ready capacity", Scorecard::overloadSeconds),
    HOT_SECONDS("hotSeconds", "hot s", "seconds with utilization above the hot threshold", Scorecard::hotSeconds),
    NODE_SECONDS("nodeSeconds", "node-seconds", "replicas (pending and warming included) x seconds: the cost", Scorecard::nodeSeconds),
    NODE_SECONDS_X_CLAIRVOYANT("nodeSecondsXClairvoyant", "x clairvoyant",
            "node-seconds over those of the cheapest schedule with zero overload that knows the future (the bound)",
            ClairvoyantBound::ratio),
    NODE_SECONDS_X_CLAIRVOYANT_NO_HOT("nodeSecondsXClairvoyantNoHot", "x clairvoyant no-hot",
            "node-seconds over those of the cheapest schedule with zero hot seconds that knows the future",
            ClairvoyantBound::ratioNoHot),
    SCALE_OUTS("scaleOuts", "scale-outs", "scale-out actions", Scorecard::scaleOuts),
    SCALE_INS("scaleIns", "scale-ins", "scale-in actions", Scorecard::scaleIns),
    REVERSALS("reversals", "reversals", "actions reversing the previous one within the reversal window", Scorecard::reversals),
    LARGEST_STEP_DOWN("largestStepDown", "largest step-down", "most replicas removed by one action", Scorecard::largestStepDown),
    MIN_REPLICAS("minReplicas", "min replicas", "fewest replicas at any time", Scorecard::minReplicas),
    MAX_REPLICAS("maxReplicas", "max replicas", "most replicas at any time", Scorecard::maxReplicas);

    /** What kind of number a column holds. */
    public enum Type {
        /** A whole number from the scorecard. */
        COUNT,
        /** The scorecard's node-seconds over a clairvoyant bound's, printed with three decimals. */
        RATIO
    }

    private final String key;
    private final String header;
    private final String meaning;
    private final Type type;
    private final ToLongFunction<Scorecard> count;
    private final ToDoubleBiFunction<ClairvoyantBound, Long> ratio;

    Column(String key, String header, String meaning, ToLongFunction<Scorecard> value) {
        this.key = key;
        this.header = header;
        this.meaning = meaning;
        this.type = Type.COUNT;
        this.count = value;
        this.ratio = null;
    }

    Column(String key, String header, String meaning, ToDoubleBiFunction<ClairvoyantBound, Long> ratio) {
        this.key = key;
        this.header = header;
        this.meaning = meaning;
        this.type = Type.RATIO;
        this.count = null;
        this.ratio = ratio;
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

    public Type type() {
        return type;
    }

    /**
     * This count column's value in {@code card}.
     *
     * @throws IllegalStateException for a ratio column, which needs the result's bound
     */
    public long valueOf(Scorecard card) {
        if (type != Type.COUNT) {
            throw new IllegalStateException(key + " is a ratio to the clairvoyant bound: use ratio(result, card)");
        }
        return count.applyAsLong(requireNonNull(card, "card"));
    }

    /**
     * This ratio column's value for {@code card}: its node-seconds over the bound's, e.g.
     * 100,820,445 / 80,000,000 = 1.260; empty for a count column, when {@code result} has no bound,
     * or when the bound is zero.
     */
    public OptionalDouble ratio(SimulationResult result, Scorecard card) {
        requireNonNull(result, "result");
        requireNonNull(card, "card");
        if (type != Type.RATIO || result.clairvoyant().isEmpty()) {
            return OptionalDouble.empty();
        }
        double r = ratio.applyAsDouble(result.clairvoyant().get(), card.nodeSeconds());
        return Double.isFinite(r) ? OptionalDouble.of(r) : OptionalDouble.empty();
    }

    /** A count as the tables show it: grouped thousands for the big ones. */
    public String format(Scorecard card) {
        return String.format(Locale.ROOT, "%,d", valueOf(card));
    }

    /** The value as the tables show it: counts with grouped thousands, ratios with three decimals, "-" when unknown. */
    public String format(SimulationResult result, Scorecard card) {
        if (type == Type.COUNT) {
            return format(card);
        }
        OptionalDouble r = ratio(result, card);
        return r.isPresent() ? String.format(Locale.ROOT, "%.3f", r.getAsDouble()) : "-";
    }
}
