package com.ltxgateway.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a process started by a test or a benchmark to answer over HTTP. */
public final class HttpReadiness {

    private HttpReadiness() {
    }

    /**
     * Asks {@code url} every 250 ms until it answers 200; false when {@code alive} turns false or {@code within} passes
     * first.
     */
    public static boolean await(HttpClient http, URI url, Duration within, BooleanSupplier alive) {
        long until = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < until && alive.getAsBoolean()) {
            try {
                HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(2)).build();
                if (http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return true;
                }
                Thread.sleep(250);
            }
            catch (IOException e) {
                // not listening yet
                sleep();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return false;
    }

    private static void sleep() {
        try {
            Thread.sleep(250);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
