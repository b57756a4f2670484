package io.github.milvusautoscaler.config;

import io.github.milvusautoscaler.core.AlertRoute;
import io.github.milvusautoscaler.core.Checks;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The Alertmanager webhook ({@code POST /api/v1/alerts}) and how alerts reach targets.
 *
 * @param enabled         accept webhooks at all
 * @param bearerTokenFile file holding the token Alertmanager must send; empty: the endpoint answers 404,
 *                        never open without auth
 * @param step            replicas added once per firing alert
 * @param cooldown        no second alert-driven scale-out of one target within this
 * @param maxBodyBytes    larger request bodies are refused with 413 unread (1MiB = 1048576)
 * @param routes          label matchers in order; the first that matches picks the target
 * @param maxHeld         alerts held at once (firing and resolved); past it, resolved go first, then 503
 * @param maxHeldBytes    their estimated size in bytes, same rule
 * @param carryOver       how long a handled alert's key blocks scale-in on a new leader that has not seen it resolved
 * @param forgetAfter     a firing alert not re-sent within this is forgotten, so a dead Alertmanager cannot block
 *                        scale-in for good; it must outlast the repeat_interval of every route that reaches us
 */
public record AlertsSettings(boolean enabled, Optional<Path> bearerTokenFile, int step, Duration cooldown,
                             long maxBodyBytes, List<AlertRoute> routes, int maxHeld, long maxHeldBytes,
                             Duration carryOver, Duration forgetAfter) {

    public AlertsSettings {
        requireNonNull(bearerTokenFile, "bearerTokenFile");
        requireNonNull(cooldown, "cooldown");
        routes = List.copyOf(requireNonNull(routes, "routes"));
        requireNonNull(carryOver, "carryOver");
        requireNonNull(forgetAfter, "forgetAfter");
        Checks checks = new Checks();
        checks.atLeast(step, 1, "step");
        checks.positive(cooldown, "cooldown");
        checks.positive(carryOver, "carry-over");
        checks.positive(forgetAfter, "forget-after");
        checks.that(maxBodyBytes >= 1, "max-body", "must be at least 1 byte, such as 1MiB");
        checks.atLeast(maxHeld, 1, "max-held");
        checks.that(maxHeldBytes >= 1, "max-held-bytes", "must be at least 1 byte, such as 4MiB");
        checks.done();
    }
}
