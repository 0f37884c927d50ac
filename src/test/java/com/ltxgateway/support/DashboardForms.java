package com.ltxgateway.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.ltxgateway.support.Api.Response;

/** The dashboard's forms over plain HTTP, as a browser posts them: its session cookie, CSRF token and encoding. */
public final class DashboardForms {

    public static final String CONTENT_TYPE = "application/x-www-form-urlencoded";
    private static final Pattern SESSION_COOKIE = Pattern.compile("SESSION=([^;]+)");
    private static final Pattern CSRF_FIELD = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private DashboardForms() {
    }

    /** The session cookie {@code response} sets. */
    public static String sessionCookie(Response response) {
        Matcher matcher = SESSION_COOKIE.matcher(String.valueOf(response.header("Set-Cookie")));
        assertThat(matcher.find()).as("a session cookie in %s", response.headers()).isTrue();
        return matcher.group(1);
    }

    /** The CSRF token of the first form in a page. */
    public static String csrfToken(String html) {
        Matcher matcher = CSRF_FIELD.matcher(html);
        assertThat(matcher.find()).as("a CSRF field in the page").isTrue();
        return matcher.group(1);
    }

    public static String encode(String... namesAndValues) {
        var body = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            body.append(body.isEmpty() ? "" : "&").append(namesAndValues[i]).append('=')
                    .append(URLEncoder.encode(namesAndValues[i + 1], StandardCharsets.UTF_8));
        }
        return body.toString();
    }
}
