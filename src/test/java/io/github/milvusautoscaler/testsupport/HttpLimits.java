package io.github.milvusautoscaler.testsupport;

import io.github.milvusautoscaler.config.ConfigLoader;
import io.github.milvusautoscaler.core.ServerSettings;
import io.github.milvusautoscaler.server.HttpApi;

/** The HTTP server settings reference.conf ships, on loopback and a free port, for tests that start an {@link HttpApi}. */
public final class HttpLimits {

    private HttpLimits() {
    }

    public static ServerSettings reference() {
        return ConfigLoader.defaults().server().withBindAddress("127.0.0.1").withPort(0);
    }
}
