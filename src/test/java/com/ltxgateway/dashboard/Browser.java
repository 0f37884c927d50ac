package com.ltxgateway.dashboard;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Debian Chromium driven by the matching chromedriver. Both paths are given, so Selenium Manager never
 * looks for (or downloads) a browser or driver; the browser resolves no host name but localhost, so a page can never
 * reach out to the internet (output files link to fal's storage).
 */
final class Browser implements AutoCloseable {

    private static final String CHROMIUM = "/usr/bin/chromium";
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    final ChromeDriver driver;
    private final Path profile;
    private final String baseUrl;

    private Browser(ChromeDriver driver, Path profile, String baseUrl) {
        this.driver = driver;
        this.profile = profile;
        this.baseUrl = baseUrl;
    }

    static Browser start(String baseUrl) {
        try {
            Path profile = Files.createTempDirectory("chromium-profile");
            var service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).usingAnyFreePort().build();
            var options = new ChromeOptions();
            options.setBinary(CHROMIUM);
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    "--user-data-dir=" + profile, "--window-size=1280,1000",
                    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost");
            return new Browser(new ChromeDriver(service, options), profile, baseUrl);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void open(String path) {
        driver.get(baseUrl + path);
    }

    String path() {
        return driver.getCurrentUrl().substring(baseUrl.length());
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** For an element of the page a click is loading: the old page may still be there when the click returns. */
    WebElement awaitElement(String css) {
        return await(Duration.ofSeconds(10), d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    /**
     * Waits until an element shows {@code text}: after a click that reloads a page holding an element of the same
     * selector, the old page's element is there (and then stale) until the new page arrives.
     */
    String awaitText(String css, String text) {
        await(Duration.ofSeconds(10), d -> d.findElements(By.cssSelector(css)).stream().anyMatch(e -> e.getText().equals(text)) ? true : null);
        return find(css).getText();
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** Live parts of a page are swapped while a condition reads them: a stale element means "look again". */
    <T> T await(Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    void signIn(String username, String password) {
        open("/login");
        find("#username").sendKeys(username);
        find("#password").sendKeys(password);
        find("button[type=submit]").click();
    }

    void signOut() {
        find(".signout button").click();
    }

    /** Saved under target/screenshots, for people to look at what the pages look like. */
    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), SCREENSHOTS.resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        }
        catch (IOException ignored) {
            // a temporary profile left behind costs nothing but disk space
        }
    }
}
