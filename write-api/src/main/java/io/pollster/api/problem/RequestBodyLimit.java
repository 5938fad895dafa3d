package io.pollster.api.problem;

import io.pollster.core.json.ProblemType;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;
import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Refuses request bodies past {@code pollster.api.max-request-body} (64 KiB) with 413
 * {@code payload-too-large}, for every {@code @RequestBody} of write-api: at once when the
 * {@code Content-Length} says so, and while reading when the body is streamed without one, so an
 * oversized body is never buffered whole. A handler that reads its body itself (the vote endpoint) applies
 * the same limit through {@link #limit}.
 */
@ControllerAdvice(basePackages = "io.pollster.api")
public class RequestBodyLimit extends RequestBodyAdviceAdapter {

    private final long maxBytes;

    RequestBodyLimit(ApiProperties properties) {
        this.maxBytes = properties.maxRequestBody().toBytes();
    }

    @Override
    public boolean supports(
            MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(
            HttpInputMessage input,
            MethodParameter parameter,
            Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType)
            throws IOException {
        InputStream limited = limit(input.getHeaders().getContentLength(), input.getBody());
        HttpHeaders headers = input.getHeaders();
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return limited;
            }

            @Override
            public HttpHeaders getHeaders() {
                return headers;
            }
        };
    }

    /**
     * The body, limited to {@code pollster.api.max-request-body}: refused at once (413 {@link ProblemException})
     * when its declared length ({@code -1}: none) is larger, else the stream fails while reading past the limit
     * with an {@link IOException} that {@link ApiProblemHandler} answers 413 when it is the cause of an {@link
     * org.springframework.http.converter.HttpMessageNotReadableException}.
     */
    public InputStream limit(long declaredLength, InputStream body) {
        if (declaredLength > maxBytes) {
            throw tooLarge().problem();
        }
        return new LimitedInputStream(body);
    }

    private BodyTooLargeException tooLarge() {
        return new BodyTooLargeException(new ProblemException(
                ProblemType.PAYLOAD_TOO_LARGE, "The request body is larger than " + maxBytes + " bytes"));
    }

    /**
     * Raised from inside the body stream, so it must be an {@link IOException}; the converter wraps it and
     * {@link ApiProblemHandler} finds it in the cause chain.
     */
    static final class BodyTooLargeException extends IOException {

        private final transient ProblemException problem;

        BodyTooLargeException(ProblemException problem) {
            super(problem.getMessage());
            this.problem = problem;
        }

        ProblemException problem() {
            return problem;
        }
    }

    private final class LimitedInputStream extends FilterInputStream {

        private long read;

        LimitedInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) throws BodyTooLargeException {
            read += n;
            if (read > maxBytes) {
                throw tooLarge();
            }
        }
    }
}
