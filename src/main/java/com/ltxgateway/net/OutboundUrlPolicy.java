package com.ltxgateway.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Where the gateway may send requests whose destination a team chose (webhooks): http(s) only, and never into an
 * internal network — any special-purpose address of IANA's registries that is not globally reachable (loopback,
 * private, link-local with the cloud metadata services, documentation, benchmarking, ...), multicast, or an IPv6
 * address that carries an IPv4 one (IPv4-compatible, NAT64, 6to4, Teredo) — unless {@code gateway.webhooks.allowed-hosts} names the host or covers
 * the address. A host name counts as every address it resolves to, so one internal address among public ones is
 * enough to refuse it.
 */
@Component
public class OutboundUrlPolicy {

    /**
     * Every block of IANA's IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its updates) that is not
     * globally reachable, plus multicast, and the blocks that carry an IPv4 address inside an IPv6 one (IPv4-compatible,
     * IPv4-mapped, NAT64, 6to4, Teredo), which would reach internal IPv4 addresses through a translator. The registries
     * list AS112 and AMT anycast as globally reachable; they stay allowed.
     */
    static final List<Range> SPECIAL_PURPOSE = List.of(
            // IPv4 (iana.org/assignments/iana-ipv4-special-registry)
            new Range("0.0.0.0", 8, "an unspecified"),                      // "this network", RFC 791
            new Range("10.0.0.0", 8, "a private"),                           // RFC 1918
            new Range("100.64.0.0", 10, "a carrier-grade NAT"),              // shared address space, RFC 6598
            new Range("127.0.0.0", 8, "a loopback"),                         // RFC 1122
            new Range("169.254.0.0", 16, "a link-local"),                    // RFC 3927 (cloud metadata services)
            new Range("172.16.0.0", 12, "a private"),                        // RFC 1918
            new Range("192.0.0.0", 24, "an IETF protocol"),                  // RFC 6890 (DS-Lite, NAT64 discovery, ...)
            new Range("192.0.2.0", 24, "a documentation"),                   // TEST-NET-1, RFC 5737
            new Range("192.88.99.0", 24, "a 6to4 relay"),                    // deprecated anycast, RFC 7526
            new Range("192.168.0.0", 16, "a private"),                       // RFC 1918
            new Range("198.18.0.0", 15, "a benchmarking"),                   // RFC 2544
            new Range("198.51.100.0", 24, "a documentation"),                // TEST-NET-2, RFC 5737
            new Range("203.0.113.0", 24, "a documentation"),                 // TEST-NET-3, RFC 5737
            new Range("224.0.0.0", 4, "a multicast"),                        // RFC 5771
            new Range("240.0.0.0", 4, "a reserved"),                         // RFC 1112, with 255.255.255.255 broadcast
            // IPv6 (iana.org/assignments/iana-ipv6-special-registry)
            new Range("::", 128, "an unspecified"),                          // RFC 4291
            new Range("::1", 128, "a loopback"),                             // RFC 4291
            new Range("::", 96, "an IPv4-compatible"),                       // deprecated, RFC 4291: ::127.0.0.1
            // IPv4-mapped ::ffff:0:0/96 needs no entry: the JDK turns such an address into the IPv4 one it maps.
            new Range("64:ff9b::", 96, "a NAT64"),                           // RFC 6052: reaches IPv4 through a translator
            new Range("64:ff9b:1::", 48, "a NAT64"),                         // local-use translation, RFC 8215
            new Range("100::", 64, "a discard-only"),                        // RFC 6666
            new Range("2001::", 23, "an IETF protocol"),                     // RFC 2928: Teredo 2001::/32, benchmarking, ORCHID
            new Range("2001:db8::", 32, "a documentation"),                  // RFC 3849
            new Range("2002::", 16, "a 6to4"),                               // RFC 3056: carries an IPv4 address
            new Range("3fff::", 20, "a documentation"),                      // RFC 9637
            new Range("5f00::", 16, "a segment routing"),                    // SRv6 SIDs, RFC 9602
            new Range("fc00::", 7, "a private"),                             // unique local, RFC 4193
            new Range("fe80::", 10, "a link-local"),                         // RFC 4291
            new Range("fec0::", 10, "a private"),                            // deprecated site-local, RFC 3879
            new Range("ff00::", 8, "a multicast"));                          // RFC 4291

    // An entry with a colon is an IPv6 address; digits and dots alone are an IPv4 one. Anything else is a host name.
    private static final Pattern ADDRESS = Pattern.compile("[0-9a-f:.]*:[0-9a-f:.]*|[0-9.]+");

    /** How host names become addresses; by default the JDK's resolver, with its address cache. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final Set<String> allowedNames;
    private final List<IpSubnetFilterRule> allowedRanges;
    private final Resolver resolver;

    @Autowired
    public OutboundUrlPolicy(OutboundUrlProperties properties) {
        this(properties, InetAddress::getAllByName);
    }

    public OutboundUrlPolicy(OutboundUrlProperties properties, Resolver resolver) {
        this.resolver = resolver;
        List<String> entries = properties.allowedHosts().stream()
                .map(entry -> normalize(entry.strip()))
                .filter(entry -> !entry.isEmpty())
                .toList();
        this.allowedNames = entries.stream().filter(entry -> !isAddress(entry)).collect(Collectors.toUnmodifiableSet());
        this.allowedRanges = entries.stream().filter(OutboundUrlPolicy::isAddress).map(OutboundUrlPolicy::range).toList();
    }

    /**
     * Why the gateway must not send to {@code url}, or empty when it may. A host that does not resolve now is not
     * refused: DNS may be briefly down, and every delivery resolves and checks again before it connects.
     */
    public Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        }
        catch (URISyntaxException e) {
            return Optional.of("must be an absolute http or https URL");
        }
        String scheme = uri.getScheme();
        if (uri.getHost() == null || !("http".equalsIgnoreCase(scheme) || "https".equalsIgnoreCase(scheme))) {
            return Optional.of("must be an absolute http or https URL");
        }
        try {
            resolve(uri.getHost());
            return Optional.empty();
        }
        catch (OutboundAddressRefused e) {
            return Optional.of(e.getMessage());
        }
        catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /**
     * The addresses to connect to for {@code host} (a name, or an address literal, IPv6 in brackets or not), every
     * one of them allowed: connecting only to these closes the gap a DNS answer changing after a check would open.
     *
     * @throws OutboundAddressRefused naming the kind of address that is not allowed
     */
    public List<InetAddress> resolve(String host) throws UnknownHostException {
        String name = normalize(host);
        InetAddress[] addresses = resolver.resolve(name);
        if (allowedNames.contains(name)) {
            return List.of(addresses);
        }
        for (InetAddress address : addresses) {
            if (!isAllowed(address)) {
                for (Range range : SPECIAL_PURPOSE) {
                    if (range.contains(address)) {
                        throw new OutboundAddressRefused("must not point at " + range.kind() + " address");
                    }
                }
            }
        }
        return List.of(addresses);
    }

    private boolean isAllowed(InetAddress address) {
        InetSocketAddress socketAddress = new InetSocketAddress(address, 0);
        return allowedRanges.stream().anyMatch(rule -> rule.matches(socketAddress));
    }

    private static String normalize(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static boolean isAddress(String entry) {
        return ADDRESS.matcher(entry.split("/", 2)[0]).matches();
    }

    /** An allowed-hosts entry that is an address ({@code 10.1.2.3}, {@code ::1}) or a range ({@code 10.0.0.0/8}). */
    private static IpSubnetFilterRule range(String entry) {
        String[] parts = entry.split("/", 2);
        try {
            // A literal, so this parses it without asking DNS.
            InetAddress address = InetAddress.getByName(parts[0]);
            int bits = address.getAddress().length * 8;
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bits;
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix out of range");
            }
            return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
        }
        catch (UnknownHostException | IllegalArgumentException e) {
            throw new IllegalArgumentException("gateway.webhooks.allowed-hosts: '" + entry
                    + "' is neither a host name nor an address or CIDR range", e);
        }
    }

    record Range(IpSubnetFilterRule rule, String kind) {

        Range(String network, int prefix, String kind) {
            this(new IpSubnetFilterRule(network, prefix, IpFilterRuleType.REJECT), kind);
        }

        boolean contains(InetAddress address) {
            return rule.matches(new InetSocketAddress(address, 0));
        }
    }
}
