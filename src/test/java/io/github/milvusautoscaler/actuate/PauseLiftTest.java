package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import io.github.milvusautoscaler.core.Component;
import java.util.Optional;
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
        "true for the whole object    | {\"milvus-autoscaler.io/paused\":\"True\"}                  | milvus-autoscaler.io/paused-   (milvus-autoscaler.io/paused=true pauses every component of the object: this lifts them all)",
        "a list naming another        | {\"milvus-autoscaler.io/paused\":\"proxy\"}                 | ",
        "false                        | {\"milvus-autoscaler.io/paused\":\"false\"}                 | ",
    })
    void theArgumentsLiftThePauseAndNothingElse(String name, String annotations, String lift) {
        assertEquals(Optional.ofNullable(lift), ScaleAnnotations.pausedBy(
                JsonParser.parseString(annotations).getAsJsonObject(), Component.QUERY_NODE, "milvus milvus/op"));
    }
}
