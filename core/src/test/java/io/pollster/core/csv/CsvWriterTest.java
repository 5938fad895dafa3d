package io.pollster.core.csv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvWriterTest {

    @Test
    void quotesOnlyValuesThatNeedIt() throws Exception {
        StringWriter out = new StringWriter();

        new CsvWriter(out).row("plain", "a,b", "say \"hi\"", null, "two\nlines");

        assertThat(out).hasToString("plain,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"\r\n");
    }

    @Test
    void aCarriageReturnAloneIsQuotedAndRowsEndWithCrlf() throws Exception {
        StringWriter out = new StringWriter();
        CsvWriter csv = new CsvWriter(out);

        csv.row(List.of("a\rb", ""));
        csv.row("\"", " spaced ");

        assertThat(out).hasToString("\"a\rb\",\r\n\"\"\"\", spaced \r\n");
    }
}
