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
 * internal network — loopback, private, link-local (which holds cloud metadata services), unspecified, multicast,
 * reserved or carrier-grade NAT addresses — unless {@code gateway.webhooks.allowed-hosts} names the host or covers
 * the address. A host name counts as every address it resolves to, so one internal address among public ones is
 * enough to refuse it.
 */
@Component
public class OutboundUrlPolicy {

    private static final List<Range> INTERNAL = List.of(
            new Range("0.0.0.0", 8, "an unspecified"), new Range("::", 128, "an unspecified"),
            new Range("127.0.0.0", 8, "a loopback"), new Range("::1", 128, "a loopback"),
            new Range("10.0.0.0", 8, "a private"), new Range("172.16.0.0", 12, "a private"),
            new Range("192.168.0.0", 16, "a private"), new Range("fc00::", 7, "a private"),
            new Range("fec0::", 10, "a private"),
            new Range("169.254.0.0", 16, "a link-local"), new Range("fe80::", 10, "a link-local"),
            new Range("100.64.0.0", 10, "a carrier-grade NAT"),
            new Range("224.0.0.0", 4, "a multicast"), new Range("ff00::", 8, "a multicast"),
            new Range("240.0.0.0", 4, "a reserved"));

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
                for (Range range : INTERNAL) {
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

    private record Range(IpSubnetFilterRule rule, String kind) {

        Range(String network, int prefix, String kind) {
            this(new IpSubnetFilterRule(network, prefix, IpFilterRuleType.REJECT), kind);
        }

        boolean contains(InetAddress address) {
            return rule.matches(new InetSocketAddress(address, 0));
        }
    }
}
