package io.pollster.core.stream;

/**
 * Thrown by a {@link StreamHandler} for an entry whose fields can never be read (missing or malformed):
 * no retry can help, so the entry is dead-lettered at its first try.
 */
public class UnreadableEntryException extends RuntimeException {

    public UnreadableEntryException(String message, Throwable cause) {
        super(message, cause);
    }
}
