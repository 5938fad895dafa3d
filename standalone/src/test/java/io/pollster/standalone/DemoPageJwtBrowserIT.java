package io.pollster.standalone;

import static io.pollster.standalone.DemoPageBrowserIT.LIVE;
import static io.pollster.standalone.DemoPageBrowserIT.awaitLive;
import static io.pollster.standalone.DemoPageBrowserIT.choiceOption;
import static io.pollster.standalone.DemoPageBrowserIT.chromium;
import static io.pollster.standalone.DemoPageBrowserIT.count;
import static io.pollster.standalone.DemoPageBrowserIT.createPollThroughThePage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.core.identity.DevelopmentTokens;
import io.pollster.testing.PollsterIntegrationTest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The demo page in {@code jwt} identity mode (docker-compose's): a pasted token goes to the API as
 * {@code Authorization: Bearer} and to the WebSocket as {@code access_token}, and its {@code sub} is
 * the user the page shows as the poll's creator. Runs under {@code -Pbrowser} only.
 */
@PollsterIntegrationTest(
        classes = PollsterApplication.class,
        properties = {"pollster.identity.mode=jwt", "pollster.identity.jwt.secret=" + DemoPageJwtBrowserIT.SECRET})
class DemoPageJwtBrowserIT {

    static final String SECRET = "demo-page-browser-test-secret-of-32-bytes-or-more";

    @LocalServerPort
    int port;

    @TempDir
    Path profiles;

    private final List<WebDriver> browsers = new ArrayList<>();

    @AfterEach
    void quitBrowsers() {
        browsers.forEach(WebDriver::quit);
    }

    @Test
    void pastedTokensCreateVoteWatchAndLetTheCreatorClose() throws Exception {
        String base = "http://localhost:" + port;
        WebDriver alice = browser("alice");
        WebDriver bob = browser("bob");
        useToken(alice, base);
        useToken(bob, base);

        String link = createPollThroughThePage(base, alice, "Stand-up at?", "When", "9:00", "9:30");
        bob.get(link);
        // the socket carries bob's token as access_token: a token that did not verify would be refused
        awaitLive(bob, "websocket");

        bob.findElement(choiceOption("9:30")).click();
        bob.findElement(By.id("vote-submit")).click();
        await().atMost(LIVE).untilAsserted(() -> assertThat(
                        bob.findElement(By.id("vote-status")).getText())
                .contains("your vote is in"));
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(count(alice, "9:30")).isEqualTo("1"));

        // only the creator (the token's sub) is offered to close it, and closing reaches every viewer
        assertThat(bob.findElement(By.id("close-poll")).isDisplayed()).isFalse();
        alice.findElement(By.id("close-poll")).click();
        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(bob.findElement(By.id("live-status")).getAttribute("data-state"))
                    .isEqualTo("closed");
            assertThat(bob.findElement(By.id("total-votes")).getText()).contains("final results");
            assertThat(bob.findElement(By.id("vote-form")).isDisplayed()).isFalse();
        });
    }

    @Test
    void withoutATokenThePageSaysWhyNothingWasCreated() throws Exception {
        String base = "http://localhost:" + port;
        WebDriver carol = browser("carol");
        carol.get(base + "/");
        carol.findElement(By.cssSelector("#identity summary")).click();
        carol.findElement(By.cssSelector("input[name=identity-mode][value=jwt]"))
                .click();

        carol.findElement(By.id("poll-title")).sendKeys("Anyone?");
        carol.findElement(By.cssSelector(".question-text")).sendKeys("Pick");
        carol.findElement(By.cssSelector(".question-choices")).sendKeys("a\nb");
        carol.findElement(By.id("create-submit")).click();

        await().atMost(LIVE).untilAsserted(() -> {
            WebElement error = carol.findElement(By.id("create-error"));
            assertThat(error.isDisplayed()).isTrue();
            assertThat(error.getText()).contains("identity settings");
        });
        assertThat(carol.getCurrentUrl()).doesNotContain("?poll=");
    }

    /** Opens the page's identity settings, picks jwt and pastes a freshly minted token. */
    private static void useToken(WebDriver driver, String base) {
        driver.get(base + "/");
        driver.findElement(By.cssSelector("#identity summary")).click();
        driver.findElement(By.cssSelector("input[name=identity-mode][value=jwt]"))
                .click();
        WebElement token = driver.findElement(By.id("jwt-token"));
        token.sendKeys(DevelopmentTokens.mint(SECRET, UUID.randomUUID(), Duration.ofHours(1)));
        token.sendKeys(Keys.TAB); // the page takes the token on change, as when a user leaves the field
        await().atMost(LIVE).untilAsserted(() -> assertThat(
                        driver.findElement(By.id("identity-summary")).getText())
                .startsWith("token for"));
    }

    private WebDriver browser(String name) throws Exception {
        WebDriver driver = chromium(profiles.resolve(name));
        browsers.add(driver);
        return driver;
    }
}
