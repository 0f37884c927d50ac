package com.ltxgateway.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Which URLs the gateway may call on a team's behalf, with DNS answers made up where a test needs them. */
class OutboundUrlPolicyTests {

    private static final Map<String, List<String>> DNS = Map.of(
            "hooks.example", List.of("93.184.215.14"),
            "mixed.example", List.of("93.184.215.14", "10.0.0.5"),
            "hooks.internal", List.of("10.0.0.5"),
            "other.internal", List.of("10.0.0.6"));

    private final OutboundUrlPolicy strict = policy();

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            http://127.0.0.1/hooks                    | a loopback
            http://127.1.2.3:8080/                    | a loopback
            http://[::1]/hooks                        | a loopback
            http://[::ffff:127.0.0.1]/hooks           | a loopback
            http://localhost:8080/hooks               | a loopback
            https://10.1.2.3/                         | a private
            https://172.16.0.1/                       | a private
            https://172.31.255.255/                   | a private
            https://192.168.1.1/                      | a private
            https://[fd00:ec2::254]/                  | a private
            http://169.254.169.254/latest/meta-data/  | a link-local
            http://[fe80::1]/                         | a link-local
            http://0.0.0.0:8080/                      | an unspecified
            http://[::]/                              | an unspecified
            http://100.64.0.1/                        | a carrier-grade NAT
            http://224.0.0.1/                         | a multicast
            http://[ff02::1]/                         | a multicast
            http://255.255.255.255/                   | a reserved
            https://mixed.example/hooks               | a private
            """)
    void refusesInternalAddresses(String url, String kind) {
        assertThat(strict.refusal(url)).contains("must not point at " + kind + " address");
    }

    /**
     * One address in every special-purpose block the policy refuses, from IANA's IPv4 and IPv6 Special-Purpose Address
     * Registries, each at the block's start and end where the block is larger than one address.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            0.255.255.255            | an unspecified
            10.255.255.255           | a private
            100.127.255.255          | a carrier-grade NAT
            127.255.255.254          | a loopback
            169.254.255.255          | a link-local
            172.31.0.1               | a private
            192.0.0.8                | an IETF protocol
            192.0.0.170              | an IETF protocol
            192.0.2.1                | a documentation
            192.88.99.1              | a 6to4 relay
            192.168.255.255          | a private
            198.18.0.1               | a benchmarking
            198.19.255.255           | a benchmarking
            198.51.100.7             | a documentation
            203.0.113.7              | a documentation
            239.255.255.250          | a multicast
            240.0.0.1                | a reserved
            [::127.0.0.1]            | an IPv4-compatible
            [::10.0.0.1]             | an IPv4-compatible
            [64:ff9b::7f00:1]        | a NAT64
            [64:ff9b::a00:1]         | a NAT64
            [64:ff9b:1::1]           | a NAT64
            [100::1]                 | a discard-only
            [2001::7f00:1]           | an IETF protocol
            [2001:2::1]              | an IETF protocol
            [2001:1ff:ffff::1]       | an IETF protocol
            [2001:db8::1]            | a documentation
            [2002:7f00:1::1]         | a 6to4
            [2002:a9fe:a9fe::1]      | a 6to4
            [3fff::1]                | a documentation
            [5f00::1]                | a segment routing
            [fc00::1]                | a private
            [febf::1]                | a link-local
            [fec0::1]                | a private
            [ff0e::1]                | a multicast
            """)
    void refusesEverySpecialPurposeBlock(String host, String kind) {
        assertThat(strict.refusal("https://" + host + "/hooks")).as(host).contains("must not point at " + kind + " address");
    }

    @ParameterizedTest
    @ValueSource(strings = { "ftp://hooks.example/x", "file:///etc/passwd", "gopher://hooks.example/", "javascript:alert(1)",
            "/relative/path", "hooks.example/x", "http:///no-host", "http://bad host/", "" })
    void refusesWhatIsNotAnAbsoluteHttpUrl(String url) {
        assertThat(strict.refusal(url)).contains("must be an absolute http or https URL");
    }

    @ParameterizedTest
    @ValueSource(strings = { "https://hooks.example/ltx", "http://hooks.example:8080/a?b=c", "HTTPS://HOOKS.EXAMPLE/",
            "https://93.184.215.14/", "https://172.32.0.1/", "https://[2606:4700::6810:84e5]/", "https://100.128.0.1/",
            "https://198.20.0.1/", "https://192.0.3.1/", "https://[2001:200::1]/", "https://[2003::1]/", "https://192.31.196.1/" })
    void allowsPublicDestinations(String url) {
        assertThat(strict.refusal(url)).isEmpty();
    }

    @Test
    void aHostThatDoesNotResolveIsLeftToTheCheckAtDelivery() throws Exception {
        assertThat(strict.refusal("https://nowhere.example/hooks")).isEmpty();
        assertThatThrownBy(() -> strict.resolve("nowhere.example")).isInstanceOf(UnknownHostException.class);
    }

    @Test
    void resolveReturnsEveryAddressOfAnAllowedHostAndRefusesAnyInternalOne() throws Exception {
        assertThat(strict.resolve("hooks.example")).containsExactly(InetAddress.getByName("93.184.215.14"));
        assertThat(strict.resolve("[2606:4700::6810:84e5]")).containsExactly(InetAddress.getByName("2606:4700::6810:84e5"));
        assertThatThrownBy(() -> strict.resolve("mixed.example"))
                .isInstanceOf(OutboundAddressRefused.class)
                .hasMessage("must not point at a private address");
    }

    @Test
    void allowedHostNamesMatchTheNameWhateverItResolvesTo() {
        OutboundUrlPolicy policy = policy(" Hooks.Internal. ", "");

        assertThat(policy.refusal("http://hooks.internal/x")).isEmpty();
        assertThat(policy.refusal("http://HOOKS.INTERNAL./x")).isEmpty();
        assertThat(policy.refusal("http://other.internal/x")).contains("must not point at a private address");
        assertThat(policy.refusal("http://10.0.0.5/x")).contains("must not point at a private address");
    }

    @Test
    void allowedAddressesAndRangesMatchWhatAHostResolvesTo() {
        OutboundUrlPolicy policy = policy("10.0.0.5", "192.168.0.0/16", "::1", "fd00::/8");

        assertThat(policy.refusal("http://hooks.internal/x")).isEmpty();
        assertThat(policy.refusal("http://10.0.0.5/x")).isEmpty();
        assertThat(policy.refusal("http://other.internal/x")).contains("must not point at a private address");
        assertThat(policy.refusal("http://192.168.77.1/x")).isEmpty();
        assertThat(policy.refusal("http://[::1]:9000/x")).isEmpty();
        assertThat(policy.refusal("http://[fd12::1]/x")).isEmpty();
        assertThat(policy.refusal("http://127.0.0.1/x")).contains("must not point at a loopback address");
        assertThat(policy.refusal("http://[fc00::1]/x")).contains("must not point at a private address");
    }

    @ParameterizedTest
    @ValueSource(strings = { "10.0.0.0/33", "10.0.0.0/x", "::1/129", "300.1.1.1" })
    void refusesAllowedHostsEntriesThatAreNoAddressOrRange(String entry) {
        assertThatThrownBy(() -> policy(entry))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gateway.webhooks.allowed-hosts")
                .hasMessageContaining(entry);
    }

    private static OutboundUrlPolicy policy(String... allowedHosts) {
        return new OutboundUrlPolicy(new OutboundUrlProperties(List.of(allowedHosts)), OutboundUrlPolicyTests::resolve);
    }

    /** Made-up names from the table, addresses and {@code localhost} as the JDK resolves them. */
    private static InetAddress[] resolve(String host) throws UnknownHostException {
        List<String> addresses = DNS.get(host);
        if (addresses == null) {
            if (host.endsWith(".example") || host.endsWith(".internal")) {
                throw new UnknownHostException(host);
            }
            return InetAddress.getAllByName(host);
        }
        InetAddress[] resolved = new InetAddress[addresses.size()];
        for (int i = 0; i < resolved.length; i++) {
            resolved[i] = InetAddress.getByName(addresses.get(i));
        }
        return resolved;
    }
}
