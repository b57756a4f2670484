package io.github.milvusautoscaler.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.Reason;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Decision messages that said false things, from the message audit (/work/notes/audit-messages.md), each with the
 * whole message now written. Bands as Scene's: cpu [0.40, 0.75] target 0.575, qps [80, 150] target 115; 3 replicas,
 * max 10; scale-out sustain 1m, cooldown 3m, max-step 2, panic above 1.5 x the line.
 */
class MessageTruthTest {

    /**
     * H3: a forecast is read from the history, so the signal it sizes by may be UNKNOWN on this tick's instant
     * query. The pre-scale is made, and its message says "now unknown" where reading the value threw (the
     * decision then reached no log, Event or status). 5.0 nodes of cpu load forecast within 5m: the unknown cpu's
     * line is its band's 0.75, ceil(5.0/0.75) = 7 > 3; the horizon's 6.0 gives ceil(6.0/0.75) = 8, at most forecast
     * max-step 4 more: 3 -> 7.
     */
    @Test
    void aPreScaleSizedByASignalUnknownNowSaysSo() {
        Scene s = Scene.scene().unknown("cpu", "empty result").forecast(Map.of("cpu", 5.0), Map.of("cpu", 6.0));
        Decision d = s.decide().decision();
        assertEquals(Reason.PRESCALE_FORECAST, d.reason(), d.message().text());
        assertEquals(7, d.to());
        assertEquals("queryNode cpu load forecast to reach 5.00 over a 5m step starting within 5m"
                + " (the lower of the same time 1d and 7d ago),"
                + " now unknown (empty result): ceil(5.00/0.75) = 7 > 3; 3 -> 7 for cpu's 6.00 within 2h30m"
                + " (ceil(6.00/0.75) = 8, forecast max-step 4)", d.message().text());
    }

    /**
     * M3: qps has been HIGH for 2m (past the 1m sustain) and cpu jumps past its panic line this tick, outside any
     * cooldown. The reason is SIGNAL_HIGH, earned by qps, so qps leads the sentence; it said "cpu 1.30 > 0.75 for
     * 0s". Sized by the furthest above its target, cpu: ceil(3 x 1.30/0.575) = 7, +2 at most: 3 -> 5.
     */
    @Test
    void aSustainedScaleOutNamesTheSignalThatWasSustained() {
        Scene s = Scene.scene().cpu(1.30).qps(160);
        s.state = Scene.highSince(s.state, Map.of("qps", s.now.minus(Duration.ofMinutes(2)), "cpu", s.now));
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(5, d.to());
        assertEquals("queryNode qps 160 > 150 for 2m; 3 -> 5 (ceil(3 x cpu 1.30/0.575) = 7, max-step 2)",
                d.message().text());
    }

    /**
     * The formula shows the value as the sentence before it does: the demo printed "cpu 0.754 > 0.75 for 1m; 7 -> 9
     * (ceil(7 x 0.75/0.575) = 10 ...)", two values for one reading. 7 x 0.754/0.575 = 9.18: ceil 10, +2 at most: 9.
     */
    @Test
    void theFormulaShowsTheLeadingValueAsTheSentenceShowedIt() {
        Scene s = Scene.scene().replicas(7, 7).cpu(0.754);
        s.state = Scene.highSince(s.state, Map.of("cpu", s.now.minus(Duration.ofMinutes(1))));
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals("queryNode cpu 0.754 > 0.75 for 1m; 7 -> 9 (ceil(7 x 0.754/0.575) = 10, max-step 2)",
                d.message().text());
    }

    /**
     * M1 and L3: the formula's divisor in full and its value as precise as its result needs; a step cut by
     * max-replicas says so. cpu 0.82 on 9 of max 10: ceil(9 x 0.82/0.575) = 13, +2 capped at 11, then 10.
     */
    @Test
    void aScaleOutCutByMaxReplicasSaysSoAndItsCeilHoldsAsPrinted() {
        Scene s = Scene.scene().replicas(9, 9).cpu(0.82);
        s.state = Scene.highSince(s.state, Map.of("cpu", s.now.minus(Duration.ofMinutes(2))));
        Decision d = s.decide().decision();
        assertEquals(Reason.SIGNAL_HIGH, d.reason(), d.message().text());
        assertEquals(10, d.to());
        assertEquals("queryNode cpu 0.82 > 0.75 for 2m; 9 -> 10 (ceil(9 x 0.82/0.575) = 13, max-step 2,"
                + " max-replicas 10)", d.message().text());
    }

    /**
     * H2: with fewer spans seen than peak-recurrence (a start, a restart, a gap) the peak is the highest seen, and the
     * message says so instead of "reached in 5 of the last 6 20m spans". Shipped look-back (120m, 5 of six 20m
     * spans); all LOW for the sustain; cpu 0.60 per pod on 3 (1.8 nodes) in the one span seen before this one, 0.20
     * in this: 1.8 / 2 = 0.90 > 0.75 holds.
     */
    @Test
    void aPeakFromFewerSpansThanTheRecurrenceIsNotCalledARecurrence() {
        Scene s = Scene.scene().allLow();
        s.state = s.steadyFor(Duration.ofMinutes(20));
        ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
        s.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakedIn("cpu", 0.60, 0.20);
        Decision d = s.decide().decision();
        assertEquals(Reason.PEAK_WOULD_OVERLOAD, d.reason(), d.message().text());
        assertEquals("queryNode cpu peak load 1.80 (value x ready, the highest of the 2 20m spans seen, fewer than"
                + " peak-recurrence 5) would put 2 at 1.80/2 = 0.90 > 0.75; no step-down 3 -> 2; holding at 3",
                d.message().text());
        // Five spans seen at 1.8: the recurrence, as before.
        Scene five = Scene.scene().allLow();
        five.state = five.steadyFor(Duration.ofMinutes(20));
        five.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakedIn("cpu", 0.60, 5);
        String text = five.decide().decision().message().text();
        assertTrue(text.contains("(value x ready, reached in 5 of the last 6 20m spans)"), text);
    }

    /**
     * M4: a roll-back 7m after a step-down, the 5m window over but the verification still open because the health
     * query cannot be read, no longer says "within the 5m verify window". cpu 0.82 > 0.75 HIGH (not yet sustained,
     * so only the verification acts): 3 -> 4, scale-in blocked for the 30m back-off.
     */
    @Test
    void aRollBackAfterTheVerifyWindowSaysTheVerificationWentOn() {
        Scene late = Scene.scene().cpu(0.82);
        late.health = io.github.milvusautoscaler.core.Health.UNKNOWN;
        late.state = Scene.steppedDown(late.state, late.now.minus(Duration.ofMinutes(7)), true);
        Decision d = late.decide().decision();
        assertEquals(Reason.STEP_DOWN_ROLLBACK, d.reason(), d.message().text());
        assertEquals("queryNode cpu 0.82 > 0.75 7m after the last step-down, still verifying it (the health query"
                + " cannot be read since its 5m verify window ended); 3 -> 4, scale-in blocked for 30m",
                d.message().text());
        // 2m after it, within the window, as before.
        Scene early = Scene.scene().cpu(0.82);
        early.state = Scene.steppedDown(early.state, early.now.minus(Duration.ofMinutes(2)), true);
        assertEquals("queryNode cpu 0.82 > 0.75 within the 5m verify window of the last step-down; 3 -> 4, scale-in"
                + " blocked for 30m", early.decide().decision().message().text());
    }

    /**
     * M2: a replica not ready for the whole settle timeout while nothing moves lets step-downs go on (the
     * ReplicaSet removes that pod first), sized as if a ready one went. The holds name the step from the replica
     * count, 4 -> 3, where they said "no step-down 3 -> 2; holding at 4". cpu 0.39 averaged on 3 ready of 4:
     * 0.39 x 3/2 = 0.585 > 0.575 holds.
     */
    @Test
    void aHoldWithAReplicaNotReadyNamesTheReplicaCount() {
        Scene s = stuckNotReady(4, 3).cpu(0.39);
        s.state = s.steadyFor(Duration.ofMinutes(20));
        Decision d = s.decide().decision();
        assertEquals(Reason.SCALE_IN_WOULD_OVERLOAD, d.reason(), d.message().text());
        assertEquals("removing one of 4 queryNode (3 ready) would put cpu at 0.39 x 3/2 = 0.59 > target 0.575;"
                + " holding at 4", d.message().text());
        // 1 ready of 2: the hold says what it guards against, not "0.10 x 1/0 = Infinity > target 1".
        Scene one = stuckNotReady(2, 1).cpu(0.10);
        one.state = one.steadyFor(Duration.ofMinutes(20));
        Decision held = one.decide().decision();
        assertEquals(Reason.SCALE_IN_WOULD_OVERLOAD, held.reason(), held.message().text());
        assertEquals("removing one of 2 queryNode (1 ready) could take the only ready one (a StatefulSet removes its"
                + " highest ordinal whatever its state); holding at 2", held.message().text());
        // The recent peak names the same step: 1.8 nodes of cpu in five spans on 3 ready would put 2 ready at 0.90.
        Scene peak = stuckNotReady(4, 3).allLow();
        peak.state = peak.steadyFor(Duration.ofMinutes(20));
        ScaleInSettings shipped = ShippedPeakLookBackStoryTest.shipped();
        peak.peakWindow(shipped.peakWindow(), shipped.peakRecurrence()).peakedIn("cpu", 0.60, 5);
        String text = peak.decide().decision().message().text();
        // The hold names the replicas ready, as every hold with fewer ready than requested does (recheck 58, F3).
        assertTrue(text.endsWith("would put 2 ready at 1.80/2 = 0.90 > 0.75; no step-down 4 -> 3; holding at 4 (3 ready)"),
                text);
    }

    /**
     * A hold for the fullest pod's memory names the pod, its value, the arithmetic and the average it overrides
     * (recheck 65, F1).
     */
    @Test
    void aFullPodsHoldNamesThePodAndTheArithmetic() {
        Scene s = Scene.scene().replicas(4, 4).allLow().perPod("memory", 0.48, "rel-milvus-querynode-5d9c7-x2x7q", 0.93);
        s.state = s.steadyFor(Duration.ofMinutes(20));
        Decision d = s.decide().decision();
        assertEquals(Reason.SCALE_IN_WOULD_OVERLOAD, d.reason(), d.message().text());
        assertEquals("removing one of 4 queryNode could put pod rel-milvus-querynode-5d9c7-x2x7q, the fullest at memory"
                + " 0.93 of its limit, at 0.93 x 4/3 = 1.24 > scale-out-above 0.80 as the removed node's load moves"
                + " onto it (the kernel kills a container past its memory limit, whatever the average: memory 0.48 now);"
                + " holding at 4", d.message().text());
    }

    /**
     * L3 and L4: a floor above max-replicas says it was clamped; a hold at the floor says the signals fit one node
     * fewer, not "signals low", which a forecast-sized in-band signal is not. Mon 2026-01-05 10:00 UTC, a daily
     * 09:00-11:00 UTC window.
     */
    @Test
    void scheduledFloorsSayWhatHolds() {
        Scene above = Scene.scene();
        above.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(),
                java.time.LocalTime.of(9, 0), java.time.LocalTime.of(11, 0), 12));
        Decision up = above.decide().decision();
        assertEquals(Reason.SCHEDULED_FLOOR, up.reason(), up.message().text());
        assertEquals("queryNode at 3 replicas, below the scheduled floor 10 (daily 09:00-11:00 UTC min-replicas 12,"
                + " clamped to max-replicas 10, until Mon 11:00 UTC); 3 -> 10", up.message().text());
        Scene at = Scene.scene().allLow();
        at.state = at.steadyFor(Duration.ofMinutes(20));
        at.scheduled.add(new ScheduledFloor(java.time.ZoneId.of("UTC"), ScheduledFloor.everyDay(),
                java.time.LocalTime.of(9, 0), java.time.LocalTime.of(11, 0), 3));
        Decision held = at.decide().decision();
        assertEquals(Reason.AT_SCHEDULED_FLOOR, held.reason(), held.message().text());
        assertEquals("queryNode signals fit one node fewer, but at the scheduled floor 3 (daily 09:00-11:00 UTC"
                + " min-replicas 3, until Mon 11:00 UTC); holding at 3", held.message().text());
    }

    /**
     * Forecast audit F5: after a pre-scale the sustain toward a step-down counted down for 9 minutes without a word
     * of the forecast that would hold it when the sustain ends. All LOW for 5m of the 10m sustain on 3; 1.6 nodes
     * of cpu load forecast within the 2h30m horizon put one node fewer at 1.6 / 2 = 0.80 > 0.75 (fill 1.00 x 0.75),
     * and the hold says so; 1.4 nodes (0.70 on two) fit, and it says nothing of the forecast.
     */
    @Test
    void aSustainTowardAStepDownTheForecastWillHoldSaysSo() {
        Scene held = Scene.scene().allLow().forecast(Map.of("cpu", 0.6), Map.of("cpu", 1.6));
        held.state = held.steadyFor(Duration.ofMinutes(5));
        Decision d = held.decide().decision();
        assertEquals(Reason.SUSTAINING_LOW, d.reason(), d.message().text());
        assertTrue(d.message().text().endsWith(" over 5m of 10m sustain; then held by the forecast: cpu load forecast"
                + " to reach 1.60 within 2h30m (the lower of the same time 1d and 7d ago): 2 would run at 0.80 > 0.75"
                + " (fill 1.00 x 0.75); holding at 3"), d.message().text());
        Scene fits = Scene.scene().allLow().forecast(Map.of("cpu", 0.6), Map.of("cpu", 1.4));
        fits.state = fits.steadyFor(Duration.ofMinutes(5));
        Decision f = fits.decide().decision();
        assertEquals(Reason.SUSTAINING_LOW, f.reason(), f.message().text());
        assertTrue(f.message().text().endsWith(" over 5m of 10m sustain; holding at 3"), f.message().text());
    }

    /**
     * Reload audit F5: a pause named milvus-autoscaler.io/paused whatever key set it, so a person removed a key that was
     * not set (pause writes queryNode.paused). The message names the three keys and the command that lifts any.
     */
    @Test
    void aPauseNamesEveryKeyThatCanSetIt() {
        Scene s = Scene.scene().cpu(0.95);
        s.paused = true;
        Decision d = s.decide().decision();
        assertEquals(Reason.PAUSED, d.reason(), d.message().text());
        assertEquals("queryNode paused by an annotation on the object (milvus-autoscaler.io/queryNode.paused, or"
                + " milvus-autoscaler.io/paused = true or a list naming it); resume --target lifts a pause that pause or scale"
                + " wrote, and prints the kubectl command for one set by hand; holding at 3",
                d.message().text());
    }

    /**
     * A pause set by hand is named by the key found, with the command that lifts it: the three forms in the config
     * spelling sent a person paused as {@code querynode.paused=true} looking for a {@code queryNode.paused} that was not
     * there (recheck 42, left). The actuators read the command off the object ({@code MilvusOperatorActuatorTest}).
     */
    @Test
    void aPauseSetByHandNamesTheKeyFoundAndItsLift() {
        Scene s = Scene.scene().cpu(0.95);
        s.paused = true;
        s.pauseLift = "kubectl -n milvus annotate milvus op milvus-autoscaler.io/querynode.paused-";
        Decision d = s.decide().decision();
        assertEquals(Reason.PAUSED, d.reason(), d.message().text());
        assertEquals("queryNode paused by an annotation on the object, not by the pause or scale command; lift it with:"
                + " kubectl -n milvus annotate milvus op milvus-autoscaler.io/querynode.paused-; holding at 3",
                d.message().text());
    }

    /**
     * Scale recheck 2, L2: a pause the pause or scale command wrote is named, holder and time, so a responder does not
     * resume under a run still going.
     */
    @Test
    void aPauseTheseCommandsWroteNamesItsHolder() {
        Scene s = Scene.scene().cpu(0.95);
        s.paused = true;
        s.pausedBy = "alice@laptop: scale --to 2 since 2026-12-05T12:09:53Z";
        Decision d = s.decide().decision();
        assertEquals(Reason.PAUSED, d.reason(), d.message().text());
        assertEquals("queryNode paused by alice@laptop: scale --to 2 since 2026-12-05T12:09:53Z (the pause or scale"
                + " command); a scale run lifts its own pause when it ends, so resume --target only a pause kept on"
                + " purpose or left by a run that is no longer going (a run still going stops at its next step);"
                + " holding at 3", d.message().text());
    }

    /** L6: at exactly the settle timeout the hold said "for 30m, past settle-timeout 30m"; it has reached it. */
    @Test
    void aSettleWaitAtItsTimeoutSaysItReachedIt() {
        Scene s = Scene.scene().allLow();
        s.settle = io.github.milvusautoscaler.core.Settle.BUSY;
        s.state = Scene.settleWaitSince(s.steadyFor(Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(30)));
        Decision d = s.decide().decision();
        assertEquals(Reason.SETTLE_TIMEOUT, d.reason(), d.message().text());
        assertEquals("queryNode not settled (3 of 3 ready, data movement busy) for 30m, settle-timeout 30m reached;"
                + " check stopping balance and querycoord tasks; holding at 3", d.message().text());
    }

    /**
     * Settle recheck L2: a BUSY hold said "data movement busy" and nothing of how much; it now carries what the
     * settle query read, and an UNKNOWN one why it read nothing, as the metrics side noted it.
     */
    @Test
    void aSettleHoldSaysWhatTheSettleQueryRead() {
        Scene s = Scene.scene().allLow();
        s.settle = io.github.milvusautoscaler.core.Settle.BUSY;
        s.settleNote = "settle query reads 2";
        s.state = Scene.settleWaitSince(s.steadyFor(Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(4)));
        Decision d = s.decide().decision();
        assertEquals(Reason.SETTLING, d.reason(), d.message().text());
        assertEquals("queryNode not settled (3 of 3 ready, data movement busy, settle query reads 2) for 4m of 30m;"
                + " holding at 3", d.message().text());
        s.settle = io.github.milvusautoscaler.core.Settle.UNKNOWN;
        s.settleNote = "settle query: empty result";
        Decision unread = s.decide().decision();
        assertTrue(unread.message().text().startsWith("queryNode not settled (3 of 3 ready, data movement unknown,"
                + " settle query: empty result) for 4m of 30m; the settle query reads nothing"), unread.message().text());
        // The wait counts from the first tick that read the step unsettled; the step itself was 6m ago.
        s.settle = io.github.milvusautoscaler.core.Settle.BUSY;
        s.state = Scene.steppedDown(s.state, s.now.minus(Duration.ofMinutes(6)), false);
        Decision stepped = s.decide().decision();
        assertEquals(Reason.SETTLING, stepped.reason(), stepped.message().text());
        assertEquals("queryNode not settled (3 of 3 ready, data movement busy, settle query: empty result) for 4m of"
                + " 30m (stepped down 6m ago); holding at 3", stepped.message().text());
    }

    /**
     * A settle query that reads nothing holds like data moving, and the hold says what to check (settle recheck M2:
     * "data movement unknown" alone, and at the timeout "check stopping balance and querycoord tasks", sent the SRE
     * to Milvus when Prometheus did not scrape querycoord).
     */
    @Test
    void anUnreadSettleQuerySaysWhereToLook() {
        Scene s = Scene.scene().allLow();
        s.settle = io.github.milvusautoscaler.core.Settle.UNKNOWN;
        s.state = Scene.settleWaitSince(s.steadyFor(Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(10)));
        Decision d = s.decide().decision();
        assertEquals(Reason.SETTLING, d.reason(), d.message().text());
        assertEquals("queryNode not settled (3 of 3 ready, data movement unknown) for 10m of 30m; the settle query"
                + " reads nothing (is querycoord, in mixcoord, scraped, and kube-state-metrics' spec.replicas?);"
                + " doctor --config FILE names the missing link; holding at 3", d.message().text());
        s.state = Scene.settleWaitSince(s.steadyFor(Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(30)));
        Decision late = s.decide().decision();
        assertEquals(Reason.SETTLE_TIMEOUT, late.reason(), late.message().text());
        assertFalse(late.message().text().contains("check stopping balance"), late.message().text());
        assertTrue(late.message().text().contains(StepDown.SETTLE_UNREAD), late.message().text());
        // A settle query that read a series too old names that cause, not where a missing series might be: here a
        // removed queryNode's stopping gauge, which Prometheus serves until its staleness marker, two scrape
        // intervals after the target left (scrape/scrape.go, endOfRunStaleness): at a 60s scrape past stale-after
        // (real-install recheck 10, F2).
        s.settleNote = "settle query: no sample of milvus_querynode_stopping_balance_node_num within stale-after 2m"
                + " (Prometheus still serves the last one, up to its 5m lookback)";
        s.state = Scene.settleWaitSince(s.steadyFor(Duration.ofMinutes(40)), s.now.minus(Duration.ofMinutes(10)));
        Decision stale = s.decide().decision();
        assertEquals(Reason.SETTLING, stale.reason(), stale.message().text());
        assertEquals("queryNode not settled (3 of 3 ready, data movement unknown, " + s.settleNote + ") for 10m of 30m;"
                + " holding at 3", stale.message().text());
    }

    /** {@code current} replicas, {@code ready} of them ready, the rest not ready past the settle timeout, no move. */
    private static Scene stuckNotReady(int current, int ready) {
        Scene s = Scene.scene().replicas(current, ready).allLow().qps(20);
        s.state = Scene.settleWaitSince(s.state, s.now.minus(Duration.ofMinutes(45)));
        return s;
    }
}
