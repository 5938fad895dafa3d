package io.pollster.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pollster.testing.PollsterIntegrationTest;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The demo page (live-gateway's {@code static/}) in a real browser against the whole standalone
 * application: Debian's {@code chromium} and {@code chromium-driver}, headless, two sessions with their
 * own profiles (so two users). Runs under {@code -Pbrowser} only.
 *
 * <p>It also saves a screenshot of the page to {@code target/demo.png} (or the path in the system
 * property {@code pollster.demo.screenshot}); {@code docs/demo.png} is such a screenshot.
 */
@PollsterIntegrationTest(
        classes = PollsterApplication.class,
        // the test servers are given: nothing embedded, which would lock ./data, which a second
        // context of this JVM (DemoPageJwtBrowserIT's) would then fail on
        properties = "pollster.embedded.enabled=false")
class DemoPageBrowserIT {

    static final Duration LIVE = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();

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
    void aVoteInOneBrowserMovesTheBarInAnotherWithoutAReload() throws Exception {
        WebDriver alice = browser("alice");
        WebDriver bob = browser("bob");

        String link = createPollThroughThePage(alice, "Tabs or spaces?", "Pick one", "tabs", "spaces");
        assertThat(link).contains("/?poll=tabs-or-spaces");

        bob.get(link);
        awaitLive(bob, "websocket");
        assertThat(count(bob, "spaces")).isEqualTo("0");
        // a reload would lose this: the bar must move in the page as it is
        js(bob).executeScript("window.stillTheSamePage = true");

        alice.findElement(choiceOption("spaces")).click();
        alice.findElement(By.id("vote-submit")).click();
        await().atMost(LIVE).untilAsserted(() -> assertThat(
                        alice.findElement(By.id("vote-status")).getText())
                .contains("your vote is in"));

        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(count(bob, "spaces")).isEqualTo("1");
            assertThat(barWidth(bob, "spaces")).isEqualTo("100%");
            assertThat(barWidth(bob, "tabs")).isEqualTo("0%");
            assertThat(bob.findElement(By.id("total-votes")).getText()).startsWith("1 vote");
        });
        assertThat(js(bob).executeScript("return window.stillTheSamePage")).isEqualTo(true);
        // alice's own page moved too, and marks her choice
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(count(alice, "spaces")).isEqualTo("1"));
        assertThat(resultRow(alice, "spaces").getAttribute("class")).contains("mine");

        screenshot(bob, link);
    }

    @Test
    void aKeyboardAloneVotesAndTheFocusIsVisibleOverServerSentEvents() throws Exception {
        WebDriver alice = browser("alice");
        WebDriver carol = browser("carol");
        String link = createPollThroughThePage(alice, "Lunch?", "Where", "pizza", "noodles", "salad");
        awaitLive(alice, "websocket");

        // carol is on a phone, and her page takes the SSE path (as behind a proxy without WebSocket)
        carol.manage().window().setSize(new Dimension(390, 844));
        carol.get(link + "&transport=sse");
        awaitLive(carol, "sse");
        assertThat(js(carol).executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                .as("nothing wider than a phone's screen")
                .isEqualTo(true);

        WebElement first = tabUntil(carol, "input[type=radio]");
        assertThat(first.getAttribute("value")).isEqualTo(choiceId(carol, "pizza"));
        assertThat(js(carol).executeScript("return getComputedStyle(document.activeElement).outlineStyle"))
                .as("the keyboard focus is visible")
                .isEqualTo("solid");
        // arrow keys move within a radio group and select; Tab leaves it for the Vote button
        new Actions(carol).sendKeys(Keys.ARROW_DOWN).perform();
        assertThat(carol.switchTo().activeElement().getAttribute("value")).isEqualTo(choiceId(carol, "noodles"));
        new Actions(carol).sendKeys(Keys.TAB).perform();
        assertThat(carol.switchTo().activeElement().getAttribute("id")).isEqualTo("vote-submit");
        new Actions(carol).sendKeys(Keys.ENTER).perform();

        await().atMost(LIVE).untilAsserted(() -> assertThat(
                        carol.findElement(By.id("vote-status")).getText())
                .contains("your vote is in"));
        await().atMost(LIVE).untilAsserted(() -> {
            assertThat(count(carol, "noodles")).isEqualTo("1");
            assertThat(count(alice, "noodles")).isEqualTo("1");
            assertThat(barWidth(alice, "noodles")).isEqualTo("100%");
        });
        // the ballot is locked once the vote is in
        assertThat(carol.findElement(By.id("vote-submit")).isEnabled()).isFalse();
    }

    // ---- the page, as a user drives it ----

    private String createPollThroughThePage(WebDriver driver, String title, String question, String... choices) {
        return createPollThroughThePage("http://localhost:" + port, driver, title, question, choices);
    }

    static String createPollThroughThePage(
            String base, WebDriver driver, String title, String question, String... choices) {
        driver.get(base + "/");
        await().atMost(LIVE)
                .until(() -> driver.findElement(By.id("create-view")).isDisplayed());
        driver.findElement(By.id("poll-title")).sendKeys(title);
        driver.findElement(By.cssSelector(".question-text")).sendKeys(question);
        driver.findElement(By.cssSelector(".question-choices")).sendKeys(String.join("\n", choices));
        driver.findElement(By.id("create-submit")).click();
        await().atMost(LIVE).until(() -> driver.findElement(By.id("poll-view")).isDisplayed());
        assertThat(driver.findElement(By.id("poll-title-heading")).getText()).isEqualTo(title);
        return driver.findElement(By.id("share-link")).getAttribute("value");
    }

    static void awaitLive(WebDriver driver, String transport) {
        await().atMost(LIVE).untilAsserted(() -> {
            WebElement status = driver.findElement(By.id("live-status"));
            assertThat(status.getAttribute("data-state")).isEqualTo("live");
            assertThat(status.getAttribute("data-transport")).isEqualTo(transport);
        });
    }

    /** Presses Tab from the top of the page until the focus is on an element matching the selector. */
    static WebElement tabUntil(WebDriver driver, String selector) {
        js(driver).executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
        for (int i = 0; i < 40; i++) {
            new Actions(driver).sendKeys(Keys.TAB).perform();
            WebElement focused = driver.switchTo().activeElement();
            if ((Boolean) js(driver).executeScript("return arguments[0].matches(arguments[1])", focused, selector)) {
                return focused;
            }
        }
        throw new AssertionError("Tab never reached " + selector);
    }

    static By choiceOption(String text) {
        return By.xpath("//label[contains(@class,'choice-option')][span[normalize-space()='" + text + "']]");
    }

    static WebElement resultRow(WebDriver driver, String text) {
        return driver.findElement(By.xpath(
                "//li[contains(@class,'result')][.//span[@class='result-text' and normalize-space()='" + text + "']]"));
    }

    static String choiceId(WebDriver driver, String text) {
        return resultRow(driver, text).getAttribute("data-choice-id");
    }

    static String count(WebDriver driver, String text) {
        return resultRow(driver, text).findElement(By.className("count")).getText();
    }

    /** The width the page gave the bar (its inline style), not the one a CSS transition is passing through. */
    static String barWidth(WebDriver driver, String text) {
        return (String) js(driver)
                .executeScript(
                        "return arguments[0].style.width || '0%'",
                        resultRow(driver, text).findElement(By.className("bar-fill")));
    }

    static JavascriptExecutor js(WebDriver driver) {
        return (JavascriptExecutor) driver;
    }

    // ---- browsers ----

    private WebDriver browser(String name) throws Exception {
        WebDriver driver = chromium(profiles.resolve(name));
        browsers.add(driver);
        return driver;
    }

    /** Debian's chromium through its chromedriver, headless, with a profile directory of its own. */
    static WebDriver chromium(Path profile) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
                "--window-size=900,1300",
                "--user-data-dir=" + Files.createDirectories(profile));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort()
                .build();
        return new ChromeDriver(service, options);
    }

    /** A few more voters through the public API, so the screenshot shows bars of different lengths. */
    private void screenshot(WebDriver driver, String link) throws Exception {
        String slug = link.substring(link.indexOf("?poll=") + 6);
        HttpClient http = HttpClient.newHttpClient();
        JsonNode poll = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/polls/" + slug))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        JsonNode question = poll.path("questions").get(0);
        for (int choice : new int[] {1, 0, 1, 0}) {
            String body = "{\"answers\":[{\"question_id\":\""
                    + question.path("question_id").asString() + "\",\"choice_id\":\""
                    + question.path("choices").get(choice).path("choice_id").asString() + "\"}]}";
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/polls/"
                                    + poll.path("poll_id").asString() + "/votes"))
                            .header("X-User-Id", UUID.randomUUID().toString())
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        }
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(count(driver, "spaces")).isEqualTo("3"));
        await().atMost(LIVE)
                .untilAsserted(() -> assertThat(count(driver, "tabs")).isEqualTo("2"));
        js(driver).executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
        // let the bars' CSS transition finish: the picture shows where they end, not where they pass
        await().atMost(LIVE).until(() -> (Boolean) js(driver)
                .executeScript("return [...document.querySelectorAll('.bar-fill')].every(f =>"
                        + " Math.abs(f.offsetWidth / f.parentElement.offsetWidth * 100"
                        + " - parseFloat(f.style.width || '0')) < 1)"));
        Path file = Path.of(System.getProperty("pollster.demo.screenshot", "target/demo.png"));
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES));
    }
}
