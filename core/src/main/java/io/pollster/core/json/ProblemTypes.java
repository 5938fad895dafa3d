package io.pollster.core.json;

import java.net.URI;

/**
 * The {@code type} of every RFC 9457 problem any Pollster service answers (API.md): one base URI and
 * the problem's slug, whichever service writes it.
 */
public final class ProblemTypes {

    /** Every problem type URI is this base followed by the slug. */
    public static final String BASE_URI = "https://pollster.io/problems/";

    private ProblemTypes() {}

    /** The type URI of the problem {@code slug}, e.g. {@code not-found}. */
    public static URI of(String slug) {
        return URI.create(BASE_URI + slug);
    }
}
