package com.ltxgateway.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import javax.sql.DataSource;

import com.ltxgateway.Hashing;
import com.ltxgateway.support.MutableClock;
import com.ltxgateway.support.TestPostgres;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The throttles on a real PostgreSQL and a clock the test moves: what is counted, what is refused for how long, and
 * which refusal starts a burst. Two sets of components on one database stand for two replicas.
 */
class ThrottleTests {

    private static final Duration WINDOW = Duration.ofMinutes(15);
    private static DataSource database;

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ThrottleBuckets buckets;
    private SignInThrottle signIns;
    private UnknownApiKeyThrottle apiKeys;
    private String user;

    @BeforeAll
    static void migrate() {
        String url = TestPostgres.newDatabase("throttle");
        TestPostgres.Server server = TestPostgres.server();
        Flyway.configure().dataSource(url, server.username(), server.password()).locations("classpath:db/migration").load().migrate();
        database = new DriverManagerDataSource(url, server.username(), server.password());
    }

    @BeforeEach
    void components() {
        user = "user-" + UUID.randomUUID();
        signIns = replica();
        apiKeys = new UnknownApiKeyThrottle(buckets, refusals(), properties(), clock);
    }

    /** One replica's sign-in throttle; its components share only the database with any other. */
    private SignInThrottle replica() {
        buckets = new ThrottleBuckets(database, clock);
        return new SignInThrottle(buckets, refusals(), properties());
    }

    private Refusals refusals() {
        return new Refusals(new ThrottleBursts(JdbcClient.create(database), clock), meters);
    }

    private static ThrottleProperties properties() {
        return new ThrottleProperties(new ThrottleProperties.SignIn(3, 5, WINDOW),
                new ThrottleProperties.UnknownApiKeys(4, Duration.ofMinutes(10)));
    }

    @Test
    void refusesAUserNameItsFourthFailureInTheWindowAndLetsOneMoreTryEveryFiveMinutes() {
        for (int failure = 1; failure <= 3; failure++) {
            assertThat(signIns.attempt(user, "198.51.100." + failure)).as("failure %d", failure).isEmpty();
        }

        Refusal refused = signIns.attempt(user, "198.51.100.4").orElseThrow();

        assertThat(refused.retryAfter()).as("3 per 15 minutes refill one every 5").isEqualTo(Duration.ofMinutes(5));
        assertThat(refused.retryAfterSeconds()).isEqualTo(300);
        assertThat(refused.firstOfBurst()).isTrue();
        clock.set(clock.instant().plus(Duration.ofMinutes(4)));
        assertThat(signIns.attempt(user, "198.51.100.5")).get().extracting(Refusal::firstOfBurst)
                .as("the same burst").isEqualTo(false);
        clock.set(clock.instant().plus(Duration.ofMinutes(1)));
        assertThat(signIns.attempt(user, "198.51.100.6")).as("a token has come back").isEmpty();
        assertThat(signIns.attempt(user, "198.51.100.7")).isPresent();
        assertThat(meters.counter("gateway.throttle.refusals", "kind", "sign_in").count()).isEqualTo(3);
    }

    @Test
    void aSuccessfulSignInDoesNotCount() {
        for (int signIn = 0; signIn < 10; signIn++) {
            assertThat(signIns.attempt(user, "198.51.100.10")).isEmpty();
            signIns.succeeded(user, "198.51.100.10");
        }
        assertThat(signIns.attempt(user, "198.51.100.10")).isEmpty();
    }

    @Test
    void refusesAnAddressTryingManyNamesWithoutChargingTheNames() {
        String address = "203.0.113." + (1 + Math.abs(user.hashCode() % 250));
        for (int name = 0; name < 5; name++) {
            assertThat(signIns.attempt(user + "-" + name, address)).isEmpty();
        }

        assertThat(signIns.attempt(user, address)).as("the address has used its five").isPresent();
        assertThat(signIns.attempt(user, "198.51.100.20")).as("the name was given back its token").isEmpty();
        assertThat(signIns.attempt(user, "198.51.100.21")).isEmpty();
        assertThat(signIns.attempt(user, "198.51.100.22")).isEmpty();
        assertThat(signIns.attempt(user, "198.51.100.23")).isPresent();
    }

    @Test
    void countsAnIpv6ClientByItsSlash64() {
        String prefix = "2001:db8:" + Integer.toHexString(Math.abs(user.hashCode() % 65000)) + ":1::";
        for (int host = 1; host <= 5; host++) {
            assertThat(signIns.attempt(user + host, prefix + host)).isEmpty();
        }

        assertThat(signIns.attempt(user, prefix.replace("::", ":ffff:ffff:ffff:fffe"))).as("another address of the /64").isPresent();
        assertThat(ClientAddress.bucketOf("2001:db8:a:1:2:3:4:5")).isEqualTo("2001:db8:a:1:0:0:0:0/64");
        assertThat(ClientAddress.bucketOf("::ffff:192.0.2.7")).isEqualTo("192.0.2.7");
        assertThat(ClientAddress.bucketOf("192.0.2.7")).isEqualTo("192.0.2.7");
    }

    @Test
    void aBurstEndsAfterAQuietWindowAndTheNextRefusalStartsAnother() {
        for (int failure = 0; failure < 3; failure++) {
            signIns.attempt(user, "198.51.100.30");
        }
        assertThat(signIns.attempt(user, "198.51.100.30").orElseThrow().firstOfBurst()).isTrue();
        assertThat(signIns.attempt(user, "198.51.100.30").orElseThrow().firstOfBurst()).isFalse();

        clock.set(clock.instant().plus(WINDOW).plusSeconds(1));
        for (int failure = 0; failure < 3; failure++) {
            assertThat(signIns.attempt(user, "198.51.100.30")).isEmpty();
        }
        assertThat(signIns.attempt(user, "198.51.100.30").orElseThrow().firstOfBurst()).as("a new burst").isTrue();
    }

    @Test
    void anotherReplicaCountsAgainstTheSameBuckets() {
        SignInThrottle first = signIns;
        SignInThrottle second = replica();
        first.attempt(user, "198.51.100.40");
        first.attempt(user, "198.51.100.40");

        assertThat(second.attempt(user, "198.51.100.41")).isEmpty();
        assertThat(second.attempt(user, "198.51.100.41")).as("two on one replica, one on the other").isPresent();
        assertThat(first.attempt(user, "198.51.100.40")).isPresent();
    }

    @Test
    void anAddressOverItsUnknownKeysIsRefusedWithoutAQueryUntilItsBucketRefills() {
        String address = "192.0.2." + (1 + Math.abs(user.hashCode() % 250));
        assertThat(apiKeys.refusing(address)).isEmpty();
        for (int guess = 0; guess < 4; guess++) {
            assertThat(apiKeys.unknownKey(address)).isEmpty();
        }

        Refusal refused = apiKeys.unknownKey(address).orElseThrow();

        assertThat(refused.retryAfter()).as("4 per 10 minutes refill one every 150 s").isEqualTo(Duration.ofSeconds(150));
        assertThat(refused.firstOfBurst()).isTrue();
        clock.set(clock.instant().plusSeconds(100));
        Optional<Refusal> stillRefused = apiKeys.refusing(address);
        assertThat(stillRefused).get().extracting(Refusal::retryAfter).isEqualTo(Duration.ofSeconds(50));
        assertThat(stillRefused.get().firstOfBurst()).isFalse();
        clock.set(clock.instant().plusSeconds(50));
        assertThat(apiKeys.refusing(address)).isEmpty();
        assertThat(apiKeys.unknownKey(address)).as("one guess again").isEmpty();
        assertThat(apiKeys.unknownKey(address)).isPresent();
        assertThat(meters.counter("gateway.throttle.refusals", "kind", "unknown_api_key").count()).isEqualTo(3);
    }

    @Test
    void aBucketIsPurgedOnceItHasRefilledAndNotBefore() throws InterruptedException {
        // Bucket4j dates a row's expiry by the system clock (the gateway's own clock outside tests), so this test
        // takes real time: a window of 300 ms.
        clock.set(Instant.now());
        var quick = new SignInThrottle(buckets, refusals(), new ThrottleProperties(
                new ThrottleProperties.SignIn(3, 5, Duration.ofMillis(300)), properties().unknownApiKeys()));
        ThrottlePurge purge = new ThrottlePurge(buckets, new ThrottleBursts(JdbcClient.create(database), clock));
        quick.attempt(user + "-quick", "198.51.100.50");
        signIns.attempt(user, "198.51.100.51");
        Thread.sleep(500);
        clock.set(Instant.now());

        purge.purge();

        assertThat(bucketExists(user + "-quick")).as("refilled after 100 ms").isFalse();
        assertThat(bucketExists(user)).as("refills in 5 minutes").isTrue();
    }

    private static boolean bucketExists(String username) {
        return JdbcClient.create(database).sql("select count(*) from throttle_bucket where id = ?")
                .param("sign-in:user:" + Hashing.sha256Hex(username)).query(Long.class).single() == 1;
    }

}
