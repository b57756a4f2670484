package io.github.milvusautoscaler.actuate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** What {@link SentCredentials} masks in text an API server, or a proxy in front of it, sends back. */
class SentCredentialsTest {

    @Test
    void aTokenSentIsMaskedAsItIsAndInBase64() {
        SentCredentials sent = new SentCredentials();
        sent.remember("Bearer kube-token-123");
        String base64 = Base64.getEncoder().encodeToString("kube-token-123".getBytes(StandardCharsets.UTF_8));
        assertEquals("token=*** seen as ***", sent.mask("token=kube-token-123 seen as " + base64));
    }

    /** URL-safe without padding, and the whole header encoded, leaked after the fix above (secrets recheck 29, N1). */
    @Test
    void otherEncodingsOfATokenSentAreMaskedToo() {
        SentCredentials sent = new SentCredentials();
        sent.remember("Bearer S3cr3t-Canary-KUBE1");
        assertEquals("urlsafe *** header ***", sent.mask("urlsafe UzNjcjN0LUNhbmFyeS1LVUJFMQ header"
                + " QmVhcmVyIFMzY3IzdC1DYW5hcnktS1VCRTE="));
    }

    @Test
    void anythingShapedLikeACredentialIsMaskedUnseen() {
        SentCredentials sent = SentCredentials.SHAPES_ONLY;
        assertEquals("got Authorization Bearer ***", sent.mask("got Authorization Bearer abc.def-123"));
        assertEquals("got basic ***", sent.mask("got basic dXNlcjpwYXNz"));
        // A service-account token is a JWT; an EKS token starts k8s-aws-v1.
        assertEquals("token *** and ***", sent.mask("token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzYSJ9.c2lnbmF0dXJl and"
                + " k8s-aws-v1.aHR0cHM6Ly9zdHM"));
        assertEquals("Unauthorized", sent.mask("Unauthorized"));
    }

    @Test
    void aRotationKeepsTheLastFourAndShortValuesAreNotMaskedAsText() {
        SentCredentials sent = new SentCredentials();
        for (int i = 1; i <= 5; i++) {
            sent.remember("Bearer rotated-token-" + i);
        }
        sent.remember("Bearer abc");
        assertEquals("rotated-token-1 *** *** *** *** abc",
                sent.mask("rotated-token-1 rotated-token-2 rotated-token-3 rotated-token-4 rotated-token-5 abc"));
    }
}
