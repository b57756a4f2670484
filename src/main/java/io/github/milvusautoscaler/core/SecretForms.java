package io.github.milvusautoscaler.core;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The forms a credential can take in text a server or a proxy echoes back, longest first so that masking them in that
 * order leaves no tail of a longer one: the value itself, and base64 of it and of the {@code Authorization} value it
 * was sent as, standard and URL-safe, with and without padding. A proxy logging the header encoded had each of the
 * unmasked forms reach the errors and the status (secrets rechecks 28 and 29).
 */
public final class SecretForms {

    private SecretForms() {
    }

    /** Every form of {@code secret} to mask, longest first; empty for null. */
    public static List<String> of(String secret) {
        if (secret == null || secret.isEmpty()) {
            return List.of();
        }
        Set<String> forms = new LinkedHashSet<>();
        forms.add(secret);
        for (String sent : List.of(secret, "Bearer " + secret)) {
            byte[] bytes = sent.getBytes(StandardCharsets.UTF_8);
            for (Base64.Encoder encoder : List.of(Base64.getEncoder(), Base64.getUrlEncoder())) {
                forms.add(encoder.encodeToString(bytes));
                forms.add(encoder.withoutPadding().encodeToString(bytes));
            }
        }
        List<String> longestFirst = new ArrayList<>(forms);
        longestFirst.sort(Comparator.comparingInt(String::length).reversed());
        return List.copyOf(longestFirst);
    }

    /** {@code text} with every form of every one of {@code secrets} replaced by {@code mask}. */
    public static String mask(String text, List<String> secrets, String mask) {
        requireNonNull(mask, "mask");
        if (text == null || text.isEmpty()) {
            return text;
        }
        List<String> forms = new ArrayList<>();
        for (String secret : secrets) {
            forms.addAll(of(secret));
        }
        forms.sort(Comparator.comparingInt(String::length).reversed());
        String out = text;
        for (String form : forms) {
            out = out.replace(form, mask);
        }
        return out;
    }
}
