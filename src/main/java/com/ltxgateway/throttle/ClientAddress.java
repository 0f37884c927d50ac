package com.ltxgateway.throttle;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * What a client address is counted as: an IPv4 address as it is, an IPv6 address as its /64, because one host is
 * usually given a whole /64 and could otherwise take a fresh address for every guess.
 */
final class ClientAddress {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private ClientAddress() {
    }

    /** An IPv4 or IPv6 address written out; anything else (a host name) is not, and is never resolved. */
    static boolean isLiteral(String text) {
        if (IPV4.matcher(text).matches()) {
            return Arrays.stream(text.split("\\.")).allMatch(part -> Integer.parseInt(part) <= 255);
        }
        if (text.indexOf(':') < 0) {
            return false;
        }
        try {
            InetAddress.getByName(text);
            return true;
        }
        catch (UnknownHostException e) {
            return false;
        }
    }

    static String bucketOf(String address) {
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            // A literal (it has a colon, so it is no host name): parsed without asking any resolver.
            byte[] bytes = InetAddress.getByName(address).getAddress();
            if (bytes.length == 16) {
                return InetAddress.getByAddress(Arrays.copyOf(Arrays.copyOf(bytes, 8), 16)).getHostAddress() + "/64";
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        }
        catch (UnknownHostException e) {
            return address;
        }
    }
}
