package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Component;
import io.github.milvusautoscaler.testsupport.CapturedLogs;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The kubectl annotate arguments resume prints for a pause set by hand: the one that lifts it and nothing else, for
 * each form README's Pausing lists. Naming the per-component key for a list pause sent a person to remove a key that
 * was not set (reload recheck F5). "key-" removes an annotation and --overwrite replaces one: kubectl annotate --help
 * (kubernetes/kubectl pkg/cmd/annotate/annotate.go, its examples).
 */
class PauseLiftTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "the component's own key      | {\"milvus-autoscaler.io/queryNode.paused\":\"true\"}        | milvus-autoscaler.io/queryNode.paused-",
        "a list naming it and another | {\"milvus-autoscaler.io/paused\":\"queryNode, proxy\"}      | --overwrite milvus-autoscaler.io/paused=proxy",
        "a list naming only it        | {\"milvus-autoscaler.io/paused\":\"querynode\"}             | milvus-autoscaler.io/paused-",
        "true for the whole object    | {\"milvus-autoscaler.io/paused\":\"True\"}                  | milvus-autoscaler.io/paused-   (milvus-autoscaler.io/paused=true pauses every component of the object: removing it lifts that pause from all of them)",
        "a list naming another        | {\"milvus-autoscaler.io/paused\":\"proxy\"}                 | ",
        "false                        | {\"milvus-autoscaler.io/paused\":\"false\"}                 | ",
        // The per-component key names the component as the list does, by config name or label value in any case
        // (README, Pausing); only the config spelling was read, and a queryNode paused so was scaled (recheck 39, F1).
        "its key by the label value   | {\"milvus-autoscaler.io/querynode.paused\":\"true\"}        | milvus-autoscaler.io/querynode.paused-",
        "its key in another case      | {\"milvus-autoscaler.io/QueryNode.paused\":\" TRUE \"}      | milvus-autoscaler.io/QueryNode.paused-",
        "another's key by label value | {\"milvus-autoscaler.io/proxy.paused\":\"true\"}            | ",
        "its key false, another true  | {\"milvus-autoscaler.io/queryNode.paused\":\"false\", \"milvus-autoscaler.io/querynode.paused\":\"true\"} | milvus-autoscaler.io/querynode.paused-",
        "a key naming no component    | {\"milvus-autoscaler.io/quernode.paused\":\"true\"}         | ",
        "its key neither true nor false | {\"milvus-autoscaler.io/queryNode.paused\":\"yes\"}       | ",
        // Every form that pauses it, in one command: naming one of two left it paused by the other (recheck 45, F1).
        "its key and true             | {\"milvus-autoscaler.io/paused\":\"true\", \"milvus-autoscaler.io/queryNode.paused\":\"true\"} | milvus-autoscaler.io/queryNode.paused- milvus-autoscaler.io/paused-   (milvus-autoscaler.io/paused=true pauses every component of the object: removing it lifts that pause from all of them)",
        "two spellings and a list     | {\"milvus-autoscaler.io/querynode.paused\":\"true\", \"milvus-autoscaler.io/paused\":\"proxy,queryNode\", \"milvus-autoscaler.io/QueryNode.paused\":\"true\"} | milvus-autoscaler.io/querynode.paused- milvus-autoscaler.io/QueryNode.paused- --overwrite milvus-autoscaler.io/paused=proxy",
    })
    void theArgumentsLiftThePauseAndNothingElse(String name, String annotations, String lift) {
        assertEquals(Optional.ofNullable(lift), ScaleAnnotations.pausedBy(
                JsonParser.parseString(annotations).getAsJsonObject(), Component.QUERY_NODE, "milvus milvus/op"));
    }

    /** On a Helm Deployment, which holds one component, paused=true lifts that one: no "every component" said. */
    @Test
    void trueOnAHelmDeploymentLiftsItsOneComponent() {
        assertEquals(Optional.of("milvus-autoscaler.io/paused-"), ScaleAnnotations.pausedBy(JsonParser.parseString(
                "{\"milvus-autoscaler.io/paused\":\"true\"}").getAsJsonObject(), Component.QUERY_NODE,
                "deployment milvus/r-milvus-querynode"));
    }

    /** A per-component key that names no component, or a value that is not true or false, is said once, not ignored silently. */
    @Test
    void aKeyNamingNoComponentOrAnUnclearValueIsSaidOnce() {
        try (CapturedLogs logs = CapturedLogs.of(ScaleAnnotations.class)) {
            for (int i = 0; i < 2; i++) {
                ScaleAnnotations.pausedBy(JsonParser.parseString("{\"milvus-autoscaler.io/quernode.paused\":\"true\","
                        + " \"milvus-autoscaler.io/queryNode.paused\":\"ja\"}").getAsJsonObject(), Component.QUERY_NODE,
                        "milvus milvus/lift-warn");
            }
            assertEquals(java.util.List.of("milvus milvus/lift-warn: milvus-autoscaler.io/queryNode.paused=\"ja\" is"
                    + " neither \"true\" nor \"false\"; not paused by it (\"true\" pauses queryNode)",
                    "milvus milvus/lift-warn: milvus-autoscaler.io/quernode.paused: \"quernode\" is no component (use"
                    + " milvus-autoscaler.io/<component>.paused with a component such as queryNode or proxy); ignoring"
                    + " it"), logs.warnings());
        }
    }
}
