package io.github.milvusautoscaler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The one URL redaction that config errors and {@code status} both print through. */
class UrlsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "user-info and query          | http://admin:s3cret@p:9090/?token=t  | http://***@p:9090/?***",
        "a password holding @         | http://a:p@ss@p:9090/api             | http://***@p:9090/api",
        "an OAuth token in a fragment | https://p/#access_token=t            | https://p/?***",
        "no scheme                    | admin:s3cret@p:9090/x                | ***@p:9090/x",
        "nothing secret               | http://prometheus:9090               | http://prometheus:9090",
        "a path with an @ (a password?)| http://p:9090/users/@me             | http://***@me",
        "a password of digits and /   | http://a:1234/5@h:9090/api           | http://***@h:9090/api",
        "an empty authority (http:///)| http:///admin:S3CRETPW@127.0.0.1:9   | http:///***@127.0.0.1:9",
        "user-info deeper in the path | http://p:9090/x/admin:pw@h/api       | http://p:9090/x/***@h/api",
        "a password holding /         | http://a:p/ss@p:9090/api             | http://***@p:9090/api",
        "an IPv6 host, an @ in a path | http://[::1]:9090/users/@me          | http://***@me",
        "a : and @ only in the query  | http://p:9090/?mail=a:b@c            | http://p:9090/?***",
    })
    void hidesUserInfoQueryAndFragment(String name, String url, String shown) {
        assertEquals(shown, Urls.redact(url, "***"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "user-info                    | http://admin:s3cret@p:9090/?token=t  | admin:s3cret | admin:s3cret@p:9090/?token=t",
        "a password holding @         | http://a:p@ss@p:9090/api             | a:p@ss       | a:p@ss@p:9090/api",
        "none, an @ in the path       | http://p:9090/users/@me              | ''           | p:9090/users/@me",
        "no scheme                    | admin:s3cret@p:9090/x                | admin:s3cret | admin:s3cret@p:9090/x",
        "in the path (http:///)       | http:///alice:PWX1@127.0.0.1         | alice:PWX1   | /alice:PWX1@127.0.0.1",
    })
    void theUserInfoAndTheRestAfterTheScheme(String name, String url, String userInfo, String withoutScheme) {
        assertEquals(userInfo, Urls.userInfo(url));
        assertEquals(withoutScheme, Urls.withoutScheme(url));
    }

    /** A path goes before the query and fragment, where a token may travel (status --url, recheck 16). */
    @Test
    void aPathIsAppendedBeforeTheQuery() {
        assertEquals("http://i/autoscaler/api/v1/status?token=t", Urls.withPath("http://i/autoscaler/?token=t",
                "/api/v1/status"));
        assertEquals("http://d:8080/api/v1/status#top", Urls.withPath("http://d:8080#top", "/api/v1/status"));
        assertEquals("http://d:8080/api/v1/status", Urls.withPath("http://d:8080/", "/api/v1/status"));
    }

    @Test
    void withoutTheUserInfoTheRestIsAsWritten() {
        assertEquals("http://p:9090/autoscaler/?token=t", Urls.withoutUserInfo("http://ops:p%40ss@p:9090/autoscaler/?token=t"));
        assertEquals("http://p:9090/api", Urls.withoutUserInfo("http://a:p@ss@p:9090/api"));
        assertEquals("http://p:9090/users/@me", Urls.withoutUserInfo("http://p:9090/users/@me"));
        assertEquals("http:///127.0.0.1", Urls.withoutUserInfo("http:///alice:PWX1@127.0.0.1"));
    }
}
