package io.github.milvusautoscaler.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.milvusautoscaler.core.HistorySource;
import io.github.milvusautoscaler.core.MetricsSource;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The daemon's swappable sources (a reload swaps the Prometheus source under the running loops) delegate every
 * method of the ports they stand for. A method a port gives a default for is the trap: the daemon's wrapper kept
 * MetricsSource.servingAmount's "not read", and the daemon put its forecast in the pod template's request while
 * {@code signals} and {@code backtest}, which call the Prometheus source directly, read the pods' (recheck 85, F1).
 */
class DaemonPortsTest {

    @Test
    void theSwappableSourcesDelegateEveryMethodOfTheirPorts() throws Exception {
        assertEquals(List.of(), undelegated(Class.forName(Daemon.class.getName() + "$SwappableMetrics"),
                MetricsSource.class));
        assertEquals(List.of(), undelegated(Class.forName(Daemon.class.getName() + "$SwappableHistory"),
                HistorySource.class));
    }

    /** The methods of {@code port} that {@code wrapper} does not declare itself. */
    private static List<String> undelegated(Class<?> wrapper, Class<?> port) {
        List<String> missing = new ArrayList<>();
        for (Method m : port.getMethods()) {
            if (Modifier.isStatic(m.getModifiers())) {
                continue;
            }
            try {
                wrapper.getDeclaredMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException e) {
                missing.add(m.getName());
            }
        }
        return missing;
    }
}
