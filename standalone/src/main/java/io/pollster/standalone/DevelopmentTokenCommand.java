package io.pollster.standalone;

import io.pollster.core.identity.DevelopmentTokens;
import java.io.PrintStream;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code java -jar pollster.jar token [--sub <uuid>] [--secret <s>] [--ttl <duration>]}: prints an HS256
 * token that {@code pollster.identity.mode=jwt} with the same {@code pollster.identity.jwt.secret}
 * accepts, so the README's curl examples work in jwt mode without an identity provider. The secret
 * defaults to {@code POLLSTER_IDENTITY_JWT_SECRET}, the user to a fresh UUID, the lifetime to one hour.
 */
final class DevelopmentTokenCommand {

    static final String NAME = "token";

    private DevelopmentTokenCommand() {}

    /** Runs the command; returns the process exit code. */
    static int run(String[] args, Map<String, String> environment, PrintStream out, PrintStream err) {
        String sub = null;
        String secret = environment.get("POLLSTER_IDENTITY_JWT_SECRET");
        Duration ttl = Duration.ofHours(1);
        for (int i = 1; i < args.length; i++) {
            String option = args[i];
            String value = i + 1 < args.length ? args[i + 1] : null;
            if (value == null || !option.startsWith("--")) {
                return usage(err, "expected --option value, got " + option);
            }
            switch (option) {
                case "--sub" -> sub = value;
                case "--secret" -> secret = value;
                case "--ttl" -> {
                    Optional<Duration> parsed = duration(value);
                    if (parsed.isEmpty()) {
                        return usage(err, "--ttl takes an ISO-8601 duration such as PT1H, got " + value);
                    }
                    ttl = parsed.get();
                }
                default -> {
                    return usage(err, "unknown option " + option);
                }
            }
            i++;
        }
        if (secret == null || secret.isBlank()) {
            return usage(err, "no secret: pass --secret or set POLLSTER_IDENTITY_JWT_SECRET");
        }
        UUID user;
        try {
            user = sub == null ? UUID.randomUUID() : UUID.fromString(sub);
        } catch (IllegalArgumentException notAUuid) {
            return usage(err, "--sub must be a UUID, got " + sub);
        }
        try {
            out.println(DevelopmentTokens.mint(secret, user, ttl));
        } catch (IllegalArgumentException shortSecret) {
            return usage(err, shortSecret.getMessage());
        }
        return 0;
    }

    private static Optional<Duration> duration(String value) {
        try {
            return Optional.of(Duration.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static int usage(PrintStream err, String problem) {
        err.println("pollster token: " + problem);
        err.println("usage: java -jar pollster.jar token [--sub <uuid>] [--secret <at least 32 bytes>] [--ttl PT1H]");
        return 2;
    }
}
