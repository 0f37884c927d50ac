package com.ltxgateway.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import org.HdrHistogram.Histogram;

import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Requests sent at a held rate over a fixed number of connections, each timed from the moment it was due rather than
 * from the moment it was sent, as wrk2 does. wrk sends a connection's next request when the last one is answered, so
 * a stall holds back the requests it would have sent meanwhile and their wait is never counted (coordinated omission);
 * and flat out, its latency is mostly its own queue. A latency target at a rate ("3,000 polls/s with p99 at most
 * 20 ms") is what a caller sees at that rate: here a request that could not be sent on time because its connection was
 * still waiting counts that delay too.
 * <p>
 * Each connection is OkHttp's synchronous call on a thread of its own (blocking sockets, no hand-off between threads),
 * so the generator adds as little of its own scheduling to the figures as a client in Java can.
 */
final class HeldRate {

    private static final long HIGHEST_TRACKABLE_MICROS = TimeUnit.MINUTES.toMicros(1);

    /** Latencies in milliseconds, from when each request was due to its answer. */
    record Result(long requests, long errors, double requestsPerSecond, double p50, double p90, double p99, double max) {
    }

    private HeldRate() {
    }

    /**
     * @param requestFor the {@code n}-th request of the run, for any {@code n} from 0
     */
    static Result run(LongFunction<Request> requestFor, int connections, int perSecond, Duration duration)
            throws InterruptedException {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        List<Connection> all = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            all.add(new Connection(i, connections, interval, requestFor));
        }
        try (ExecutorService threads = Executors.newFixedThreadPool(connections)) {
            // Every connection open and used once before the clock starts, so the first due requests do not wait for
            // connects and a cold client.
            onEach(threads, all, Connection::prime);
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            onEach(threads, all, connection -> connection.run(start, end));
            Histogram latencies = new Histogram(HIGHEST_TRACKABLE_MICROS, 3);
            long errors = 0;
            long lastAnswer = start;
            for (Connection connection : all) {
                latencies.add(connection.latencies);
                errors += connection.errors;
                lastAnswer = Math.max(lastAnswer, connection.lastAnswer);
            }
            long requests = latencies.getTotalCount();
            double seconds = (lastAnswer - start) / 1e9;
            return new Result(requests, errors, seconds == 0 ? 0 : requests / seconds, millis(latencies, 50), millis(latencies, 90),
                    millis(latencies, 99), latencies.getMaxValue() / 1000.0);
        }
        finally {
            all.forEach(Connection::close);
        }
    }

    /** Runs {@code task} on every connection at once, each on its thread, and fails if any of them failed. */
    private static void onEach(ExecutorService threads, List<Connection> all, Consumer<Connection> task) throws InterruptedException {
        List<Callable<Void>> tasks = all.stream().map(connection -> (Callable<Void>) () -> {
            task.accept(connection);
            return null;
        }).toList();
        for (Future<Void> done : threads.invokeAll(tasks)) {
            done.resultNow();
        }
    }

    private static double millis(Histogram latencies, double percentile) {
        return latencies.getValueAtPercentile(percentile) / 1000.0;
    }

    /**
     * One connection (a client of its own, called by one thread at a time, keeps exactly one open): the {@code k}-th
     * request of connection {@code i} of {@code n} is due at {@code start + (k n + i) interval}, so the connections
     * together send at the rate, evenly spread.
     */
    private static final class Connection {

        private final int index;
        private final int connections;
        private final long interval;
        private final LongFunction<Request> requestFor;
        private final OkHttpClient client = new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(1, 1, TimeUnit.MINUTES))
                .retryOnConnectionFailure(false)
                .build();
        private final Histogram latencies = new Histogram(HIGHEST_TRACKABLE_MICROS, 3);
        private long errors;
        private long lastAnswer;

        Connection(int index, int connections, long interval, LongFunction<Request> requestFor) {
            this.index = index;
            this.connections = connections;
            this.interval = interval;
            this.requestFor = requestFor;
        }

        void prime() {
            send(requestFor.apply(index));
            errors = 0;
        }

        void run(long start, long end) {
            for (long k = 0;; k++) {
                long n = k * connections + index;
                long due = start + n * interval;
                if (due >= end) {
                    return;
                }
                for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                    LockSupport.parkNanos(wait);
                }
                send(requestFor.apply(n));
                lastAnswer = System.nanoTime();
                latencies.recordValue(Math.min(HIGHEST_TRACKABLE_MICROS, (lastAnswer - due) / 1000));
            }
        }

        private void send(Request request) {
            try (Response response = client.newCall(request).execute()) {
                response.body().bytes();
                if (!response.isSuccessful()) {
                    errors++;
                }
            }
            catch (IOException e) {
                errors++;
            }
        }

        void close() {
            client.connectionPool().evictAll();
            client.dispatcher().executorService().shutdown();
        }
    }
}
