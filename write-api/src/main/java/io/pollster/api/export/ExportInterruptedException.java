package io.pollster.api.export;

/**
 * An export failed after part of its CSV was sent (PostgreSQL lost mid-stream, the client gone): too late
 * for a problem response, so it must end the connection without completing the response.
 */
class ExportInterruptedException extends RuntimeException {

    ExportInterruptedException(String message, Throwable cause) {
        super(message, cause);
    }
}
