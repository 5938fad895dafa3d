package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** A clone carries everything its documents point at: every link resolves inside the repository. */
class RepositoryLinksTest {

    /** The folder the shared requirements sat in beside the first checkouts; a clone has none. */
    private static final String OUTSIDE = String.join("/", "..", "shared", "");

    private static final Path ROOT = RepositoryFiles.root();
    /** {@code [text](target)} with a target that is not a URL or an anchor. */
    private static final Pattern LINK = Pattern.compile("\\]\\((?!https?://|mailto:|#)([^)\\s]+)\\)");

    @Test
    void everyLinkOfTheReadmeAndTheDocsResolvesInsideTheRepository() throws IOException {
        List<Path> documents = documents();
        assertThat(documents).contains(ROOT.resolve("README.md"), ROOT.resolve("docs/api.md"));
        List<String> broken = new ArrayList<>();
        for (Path document : documents) {
            Matcher link = LINK.matcher(Files.readString(document));
            while (link.find()) {
                String target = link.group(1).replaceFirst("#.*", "");
                Path resolved = document.getParent().resolve(target).normalize();
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    broken.add(ROOT.relativize(document) + " -> " + link.group(1));
                }
            }
        }
        assertThat(broken).isEmpty();
    }

    @Test
    void theContractAndTheDesignAreInTheRepository() throws IOException {
        assertThat(ROOT.resolve("docs/api.md")).exists();
        assertThat(ROOT.resolve("docs/design.md")).exists();
        for (Path document : documents()) {
            assertThat(Files.readString(document))
                    .as("%s names no file outside the repository", document)
                    .doesNotContain(OUTSIDE);
        }
    }

    private static List<Path> documents() throws IOException {
        List<Path> documents = new ArrayList<>();
        documents.add(ROOT.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(ROOT.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(documents::add);
        }
        return documents;
    }
}
