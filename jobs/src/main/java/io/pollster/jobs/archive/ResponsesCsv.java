package io.pollster.jobs.archive;

import java.io.IOException;
import java.io.Writer;

/** The CSV of an archive's responses (RFC 4180: quoted when needed, CRLF line ends). */
final class ResponsesCsv {

    static final String HEADER = "response_id,vote_id,question_id,choice_id,user_id,submitted_at,ip_address";

    private ResponsesCsv() {}

    static void writeRow(Writer out, String... values) throws IOException {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                out.write(',');
            }
            out.write(escape(values[i]));
        }
        out.write("\r\n");
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
