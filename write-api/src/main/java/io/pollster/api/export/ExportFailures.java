package io.pollster.api.export;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Keeps an export that broke off mid-stream from looking complete. The global problem handler would try
 * to render a problem into the response already under way (it fails today only because no converter
 * writes a problem as the {@code text/csv} already set, and then logs the failure as an outage and a
 * broken handler); rendered, it would end a truncated CSV cleanly, for a client to take as the whole
 * file. Rethrown from here on purpose, the failure leaves Spring MVC, and Tomcat, finding the response
 * committed, closes the connection at once, without the final chunk: the client's read fails.
 */
@RestControllerAdvice(assignableTypes = ExportController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ExportFailures {

    @ExceptionHandler(ExportInterruptedException.class)
    void abortTheResponse(ExportInterruptedException interrupted) {
        throw interrupted;
    }
}
