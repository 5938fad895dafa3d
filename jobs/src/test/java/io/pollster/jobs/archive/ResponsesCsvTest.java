package io.pollster.jobs.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ResponsesCsvTest {

    @Test
    void quotesOnlyValuesThatNeedIt() throws Exception {
        StringWriter out = new StringWriter();

        ResponsesCsv.writeRow(out, "plain", "a,b", "say \"hi\"", null, "two\nlines");

        assertThat(out).hasToString("plain,\"a,b\",\"say \"\"hi\"\"\",,\"two\nlines\"\r\n");
    }
}
