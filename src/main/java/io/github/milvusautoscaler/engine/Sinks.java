package io.github.milvusautoscaler.engine;

import io.github.milvusautoscaler.core.ActuationException;
import io.github.milvusautoscaler.core.Decision;
import io.github.milvusautoscaler.core.DecisionSink;
import io.github.milvusautoscaler.core.Target;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans decisions and engine events out to several receivers; one failing receiver never stops the others. */
public final class Sinks {

    private static final Logger LOG = LoggerFactory.getLogger(Sinks.class);

    private Sinks() {
    }

    public static DecisionSink all(List<? extends DecisionSink> sinks) {
        List<DecisionSink> copy = List.copyOf(sinks);
        return d -> {
            for (DecisionSink s : copy) {
                try {
                    s.record(d);
                } catch (RuntimeException e) {
                    LOG.warn("decision sink {} failed: {}", s.getClass().getSimpleName(), e.getMessage());
                }
            }
        };
    }

    public static EngineListener listeners(List<? extends EngineListener> listeners) {
        List<EngineListener> copy = List.copyOf(listeners);
        return new EngineListener() {
            @Override
            public void readFailed(Target target, ActuationException e) {
                copy.forEach(l -> l.readFailed(target, e));
            }

            @Override
            public void writeSucceeded(Decision decision) {
                copy.forEach(l -> l.writeSucceeded(decision));
            }

            @Override
            public void writeFailed(Decision decision, ActuationException e) {
                copy.forEach(l -> l.writeFailed(decision, e));
            }

            @Override
            public void memoryWriteFailed(Target target, ActuationException e) {
                copy.forEach(l -> l.memoryWriteFailed(target, e));
            }

            @Override
            public void writeAbandoned(Decision decision, String why) {
                copy.forEach(l -> l.writeAbandoned(decision, why));
            }

            @Override
            public void writeConflict(Target target, boolean resolved) {
                copy.forEach(l -> l.writeConflict(target, resolved));
            }

            @Override
            public void ambiguousWrite(Target target, String result) {
                copy.forEach(l -> l.ambiguousWrite(target, result));
            }

            @Override
            public void standingBack(Target target) {
                copy.forEach(l -> l.standingBack(target));
            }

            @Override
            public void decidedAs(Target target, boolean leader) {
                copy.forEach(l -> l.decidedAs(target, leader));
            }

            @Override
            public void tickFinished(Target target, Duration took) {
                copy.forEach(l -> l.tickFinished(target, took));
            }

            @Override
            public void forgotten(Target target) {
                copy.forEach(l -> l.forgotten(target));
            }

            @Override
            public void renamed(Target from, Target to) {
                copy.forEach(l -> l.renamed(from, to));
            }
        };
    }
}
