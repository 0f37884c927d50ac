package com.ltxgateway.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.ltxgateway.support.HttpReadiness;
import java.util.concurrent.TimeUnit;

/** One gateway process started from the application jar, as deployed, with what a benchmark reads of it. */
record GatewayProcess(String name, Process process, int port, String database, Path log) {

    static GatewayProcess start(String name, Path jar, List<String> jvmOptions, Map<String, String> environment, String database,
            Path out) throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = out.resolve(name + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        builder.environment().put("SERVER_PORT", Integer.toString(port));
        builder.environment().put("GATEWAY_PUBLIC_URL", "http://127.0.0.1:" + port);
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new GatewayProcess(name, builder.start(), port, database, log);
    }

    URI url(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    void awaitReady(HttpClient http) {
        if (!HttpReadiness.await(http, url("/actuator/health/readiness"), Duration.ofSeconds(120), process::isAlive)) {
            throw new IllegalStateException(name + " did not become ready; see " + log);
        }
    }

    /**
     * User and system CPU the process used so far, and the part of it its JIT compiler's threads used, in clock ticks
     * (fields 14 and 15 of /proc/PID/stat and of each thread's /proc/PID/task/TID/stat).
     */
    Cpu cpu() throws IOException {
        Map<String, Long> compilers = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(process.pid()), "task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                }
                catch (NoSuchFileException ended) {
                    continue;
                }
                // HotSpot's C1 and C2 compiler threads ("C2 CompilerThread0", cut to 15 characters by the kernel).
                String threadName = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (threadName.startsWith("C1 CompilerThre") || threadName.startsWith("C2 CompilerThre")) {
                    compilers.put(task.getFileName().toString(), ticks(stat));
                }
            }
        }
        return new Cpu(ticks(Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"))), compilers);
    }

    /** User plus system time of a /proc stat line. */
    private static long ticks(String stat) {
        // The command name in parentheses may hold spaces: count fields after its closing parenthesis.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * A reading of {@link #cpu()}.
     *
     * @param compilerTicks by thread: HotSpot starts compiler threads as work comes and ends them when it is done, so a
     * window's compiling is the sum of each thread's growth (what a thread did after the last reading and before it
     * ended is lost: it is lost in an idle compiler's last moments)
     */
    record Cpu(long ticks, Map<String, Long> compilerTicks) {

        /** The CPU used since {@code before}: in all, and by the JIT compiler. */
        Use since(Cpu before) {
            long compiling = compilerTicks.entrySet().stream()
                    .mapToLong(thread -> thread.getValue() - before.compilerTicks().getOrDefault(thread.getKey(), 0L))
                    .sum();
            return new Use(ticks - before.ticks(), compiling);
        }
    }

    /** CPU used over a window, in clock ticks. */
    record Use(long ticks, long compilerTicks) {

        /** The JIT compiler's part of the window's CPU, 0 to 1. */
        double compilerShare() {
            return ticks == 0 ? 0 : (double) compilerTicks / ticks;
        }
    }

    long rssKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** Starts a Java Flight Recorder sampling profile: the measured window only, without start-up and warm-up. */
    void startProfile() throws IOException, InterruptedException {
        jcmd("JFR.start", "name=load", "settings=profile");
    }

    /** Stops the profile and writes it to {@code file}. */
    void stopProfile(Path file) throws IOException, InterruptedException {
        jcmd("JFR.stop", "name=load", "filename=" + file.toAbsolutePath());
    }

    private void jcmd(String... arguments) throws IOException, InterruptedException {
        Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
        List<String> command = new ArrayList<>(List.of(java.resolveSibling("jcmd").toString(), Long.toString(process.pid())));
        command.addAll(List.of(arguments));
        Process jcmd = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (jcmd.waitFor() != 0) {
            throw new IllegalStateException("jcmd " + String.join(" ", arguments) + " failed");
        }
    }

    boolean logContains(String text) throws IOException {
        return Files.readString(log).contains(text);
    }

    /** SIGTERM, as an orchestrator stops it, and waits for it to exit. */
    void stop() {
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
