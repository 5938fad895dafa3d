package io.pollster.api.poll;

import io.pollster.core.poll.PollDefinitions;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Locale;
import java.util.random.RandomGenerator;
import org.springframework.stereotype.Component;

/**
 * PollSlugs of polls: readable (from the title), URL-safe ({@code [a-z0-9-]} only) and unique thanks to a
 * random suffix, e.g. {@code best-editor-x7k2}. Uniqueness is finally decided by the database's UNIQUE
 * constraint: on a collision the caller asks for another slug with a longer suffix.
 */
@Component
class PollSlugs {

    private static final int MAX_BASE = 48;
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

    private final RandomGenerator random;

    PollSlugs() {
        this(new SecureRandom());
    }

    PollSlugs(RandomGenerator random) {
        this.random = random;
    }

    /** A slug of {@code title}; {@code attempt} 0, 1, 2… makes the suffix longer after collisions. */
    String of(String title, int attempt) {
        String slug;
        do {
            slug = candidate(title, attempt);
        } while (PollDefinitions.parseUuid(slug)
                .isPresent()); // API paths take ids first: a slug must not look like one
        return slug;
    }

    private String candidate(String title, int attempt) {
        StringBuilder slug = new StringBuilder(base(title)).append('-');
        int suffix = 4 + 2 * attempt;
        for (int i = 0; i < suffix; i++) {
            slug.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return slug.toString();
    }

    /** Lower-case ASCII words of the title joined by dashes ("Best editor?" → "best-editor"). */
    static String base(String title) {
        String ascii = Normalizer.normalize(title, Normalizer.Form.NFKD)
                .replaceAll("\\p{M}", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-")
                .replaceAll("^-+|-+$", "");
        if (ascii.length() > MAX_BASE) {
            ascii = ascii.substring(0, MAX_BASE).replaceAll("-+$", "");
        }
        return ascii.isEmpty() ? "poll" : ascii;
    }
}
