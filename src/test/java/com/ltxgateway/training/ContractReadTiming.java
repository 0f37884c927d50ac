package com.ltxgateway.training;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

import jakarta.validation.Validation;
import jakarta.validation.ValidatorFactory;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not a test: the CPU time of reading one create's body against the contract ({@link JsonContract}), the part of a
 * create that checks its input, measured alone because a change of a few microseconds is lost in the noise of a load
 * run. Eight rounds of 50,000 reads on one thread; the last rounds are the warmed-up figure.
 * <pre>
 * java -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt) com.ltxgateway.training.ContractReadTiming
 * </pre>
 * ({@code bench/load.sh} writes {@code target/bench-classpath.txt}.)
 */
public final class ContractReadTiming {

    /** The body {@code bench/create.lua} posts. */
    private static final String BODY = """
            {"input":{"training_data_url":"https://example.com/bench/1-2.zip","number_of_steps":1000,"rank":"32"},
             "metadata":{"bench":"create"}}""";
    private static final int READS = 50_000;

    private ContractReadTiming() {
    }

    public static void main(String[] args) {
        try (ValidatorFactory validation = Validation.buildDefaultValidatorFactory()) {
            JsonContract contract = new JsonContract(validation.getValidator());
            JsonNode body = JsonMapper.shared().readTree(BODY);
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            for (int round = 1; round <= 8; round++) {
                long began = threads.getCurrentThreadCpuTime();
                for (int i = 0; i < READS; i++) {
                    if (!contract.read(NewTraining.class, body).violations().isEmpty()) {
                        throw new IllegalStateException("the body should be valid");
                    }
                }
                System.out.printf("round %d: %.1f µs of CPU per read%n", round, (threads.getCurrentThreadCpuTime() - began) / 1000.0 / READS);
            }
        }
    }
}
