package io.pollster.core.csv;

import java.io.IOException;
import java.io.Writer;
import java.util.List;

/**
 * Writes CSV rows as RFC 4180 has them: a value is quoted only when it holds a comma, a double quote, CR or
 * LF, a quote inside is doubled, and every row ends with CRLF; {@code null} is the empty value. It buffers
 * nothing itself: give it a buffered {@link Writer} and flush that.
 */
public final class CsvWriter {

    private final Writer out;

    public CsvWriter(Writer out) {
        this.out = out;
    }

    public void row(String... values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(escape(values[i]));
        }
        out.write("\r\n");
    }

    public void row(List<String> values) throws IOException {
        row(values.toArray(String[]::new));
    }

    static String escape(String value) {
        if (value == null) {
            return "";
        }
        if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
            return value;
        }
        return '"' + value.replace("\"", "\"\"") + '"';
    }
}
