package com.ltxgateway.support;

import java.util.HashMap;
import java.util.Map;

/** The {@code --name value} pairs of a command run from the test classes: the benchmarks, the chaos run. */
public final class CommandLineOptions {

    private final Map<String, String> given = new HashMap<>();

    private CommandLineOptions(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            given.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
    }

    /** @throws IllegalArgumentException naming the first of {@code required} that is missing */
    public static CommandLineOptions parse(String[] args, String... required) {
        CommandLineOptions options = new CommandLineOptions(args);
        for (String name : required) {
            if (!options.given.containsKey(name)) {
                throw new IllegalArgumentException("--" + name + " is required");
            }
        }
        return options;
    }

    public String get(String name) {
        return given.get(name);
    }

    public String get(String name, String fallback) {
        return given.getOrDefault(name, fallback);
    }

    public int integer(String name, int fallback) {
        return Integer.parseInt(get(name, Integer.toString(fallback)));
    }
}
