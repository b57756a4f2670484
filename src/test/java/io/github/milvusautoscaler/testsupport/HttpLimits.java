package io.github.milvusautoscaler.testsupport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.github.milvusautoscaler.server.HttpApi;

/** The HTTP server limits reference.conf ships, for tests that start an {@link HttpApi}. */
public final class HttpLimits {

    private HttpLimits() {
    }

    public static HttpApi.Limits reference() {
        Config s = ConfigFactory.parseResources("reference.conf").resolve().getConfig("milvus-autoscaler.server");
        return new HttpApi.Limits(s.getDuration("header-timeout"), s.getDuration("request-timeout"),
                s.getInt("max-connections"), s.getInt("max-connections-per-client"), s.getInt("max-header-bytes"),
                s.getBytes("max-buffered-body"));
    }
}
