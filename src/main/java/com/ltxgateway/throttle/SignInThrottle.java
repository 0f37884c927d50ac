package com.ltxgateway.throttle;

import java.time.Duration;
import java.util.Optional;

import com.ltxgateway.Hashing;

import org.springframework.stereotype.Component;

/**
 * Dashboard sign-ins with a password. Every attempt takes a token from the user name's bucket and from the client
 * address's before the password is checked, and a successful one gives them back, so only failures count and a
 * refused attempt costs no password hash. The user name's bucket stops a spread-out attack on one account, the
 * address's one client trying many names.
 */
@Component
public class SignInThrottle {

    private final ThrottleBuckets buckets;
    private final Refusals refusals;
    private final Limit perUser;
    private final Limit perAddress;

    SignInThrottle(ThrottleBuckets buckets, Refusals refusals, ThrottleProperties properties) {
        this.buckets = buckets;
        this.refusals = refusals;
        this.perUser = new Limit(properties.signIn().perUser(), properties.signIn().window());
        this.perAddress = new Limit(properties.signIn().perAddress(), properties.signIn().window());
    }

    /** Takes an attempt for {@code username} from {@code address}; a refusal when either bucket is empty. */
    public Optional<Refusal> attempt(String username, String address) {
        String user = userKey(username);
        Optional<Duration> userWait = buckets.take(user, perUser);
        if (userWait.isPresent()) {
            return Optional.of(refusals.signIn(user, userWait.get(), perUser.window()));
        }
        String client = addressKey(address);
        Optional<Duration> addressWait = buckets.take(client, perAddress);
        if (addressWait.isPresent()) {
            buckets.giveBack(user, perUser);
            return Optional.of(refusals.signIn(client, addressWait.get(), perAddress.window()));
        }
        return Optional.empty();
    }

    /** The attempt signed in: it does not count against either bucket. */
    public void succeeded(String username, String address) {
        buckets.giveBack(userKey(username), perUser);
        buckets.giveBack(addressKey(address), perAddress);
    }

    /** An admin's decision: {@code username} may try again at once, from anywhere. */
    public void forgetUser(String username) {
        buckets.remove(userKey(username));
    }

    /** An admin's decision: sign-ins from {@code address} are counted afresh. */
    public void forgetAddress(String address) {
        buckets.remove(addressKey(address));
    }

    /** Hashed: a typed name may be anything, of any length. */
    private static String userKey(String username) {
        return "sign-in:user:" + Hashing.sha256Hex(username);
    }

    private static String addressKey(String address) {
        return "sign-in:address:" + ClientAddress.bucketOf(address);
    }
}
