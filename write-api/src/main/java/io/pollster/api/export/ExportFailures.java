package io.pollster.api.export;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Keeps an export that broke off mid-stream from looking complete. The global problem handler would
 * render a problem into the response already under way and end it cleanly: a truncated CSV a client
 * could take for the whole file. Rethrown from here instead, the failure leaves Spring MVC, and Tomcat,
 * finding the response committed, closes the connection at once, without the final chunk: the client's
 * read fails.
 */
@RestControllerAdvice(assignableTypes = ExportController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ExportFailures {

    @ExceptionHandler(ExportInterruptedException.class)
    void abortTheResponse(ExportInterruptedException interrupted) {
        throw interrupted;
    }
}
