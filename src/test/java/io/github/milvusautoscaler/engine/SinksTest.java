package io.github.milvusautoscaler.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link Sinks#listeners} hands every {@link EngineListener} call to every listener as it is: a method the fan-out
 * does not override falls to the interface's default, so a listener never hears it (a rename would reach the Events
 * sink as "forgotten" and it would tell a block again).
 */
class SinksTest {

    static Stream<Method> listenerMethods() {
        return Arrays.stream(EngineListener.class.getMethods());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listenerMethods")
    void everyListenerHearsEveryCallAsMade(Method method) throws Exception {
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        EngineListener fanOut = Sinks.listeners(List.of(recording(first), recording(second)));
        Object[] args = Arrays.stream(method.getParameterTypes()).map(t -> t == boolean.class ? (Object) false : null)
                .toArray();
        method.invoke(fanOut, args);
        assertEquals(List.of(method.getName()), first, "the first listener");
        assertEquals(List.of(method.getName()), second, "the second listener");
    }

    /** A listener that writes down the name of each call it receives, and nothing a default method would make of it. */
    private static EngineListener recording(List<String> calls) {
        return (EngineListener) Proxy.newProxyInstance(EngineListener.class.getClassLoader(),
                new Class<?>[] {EngineListener.class}, (proxy, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("equals") ? proxy == args[0]
                                : m.getName().equals("hashCode") ? System.identityHashCode(proxy) : "recording";
                    }
                    calls.add(m.getName());
                    return null;
                });
    }
}
