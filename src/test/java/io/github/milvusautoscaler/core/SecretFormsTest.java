package io.github.milvusautoscaler.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every form of a credential an echo can carry is masked, and no tail of a longer form is left behind. */
class SecretFormsTest {

    /** 19 bytes, not a multiple of 3: the padded and unpadded base64 differ (secrets recheck 29, N1). */
    private static final String TOKEN = "S3cr3t-Canary-KUBE1";

    @Test
    void theValueAndEachBase64OfItAndOfItsHeaderAreMasked() {
        byte[] token = TOKEN.getBytes(StandardCharsets.UTF_8);
        byte[] header = ("Bearer " + TOKEN).getBytes(StandardCharsets.UTF_8);
        List<String> echoes = List.of(TOKEN, Base64.getEncoder().encodeToString(token),
                Base64.getEncoder().withoutPadding().encodeToString(token), Base64.getUrlEncoder().encodeToString(token),
                Base64.getUrlEncoder().withoutPadding().encodeToString(token), Base64.getEncoder().encodeToString(header),
                Base64.getUrlEncoder().withoutPadding().encodeToString(header));
        for (String echo : echoes) {
            assertEquals("got [***] back", SecretForms.mask("got [" + echo + "] back", List.of(TOKEN), "***"), echo);
        }
    }

    @Test
    void formsComeLongestFirstSoNoPaddingOrTailIsLeft() {
        List<String> forms = SecretForms.of(TOKEN);
        for (int i = 1; i < forms.size(); i++) {
            assertTrue(forms.get(i - 1).length() >= forms.get(i).length(), forms.toString());
        }
        assertEquals(List.of(), SecretForms.of(null));
        assertEquals("nothing here", SecretForms.mask("nothing here", List.of(TOKEN), "***"));
    }
}
