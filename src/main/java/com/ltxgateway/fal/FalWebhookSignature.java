package com.ltxgateway.fal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.HexFormat;
import java.util.function.Function;

import com.ltxgateway.Hashing;

/**
 * How fal signs a webhook: Ed25519 over {@code request_id \n user_id \n timestamp \n hex(sha256(raw body))}, sent hex
 * encoded with the three signed values in headers. The receiver checks it; the sandbox signs its own webhooks the
 * same way, so both follow this one definition.
 */
public final class FalWebhookSignature {

    public static final String REQUEST_ID_HEADER = "X-Fal-Webhook-Request-Id";
    public static final String USER_ID_HEADER = "X-Fal-Webhook-User-Id";
    public static final String TIMESTAMP_HEADER = "X-Fal-Webhook-Timestamp";
    public static final String SIGNATURE_HEADER = "X-Fal-Webhook-Signature";

    private static final String ALGORITHM = "Ed25519";

    private FalWebhookSignature() {
    }

    /** The four signature headers of one delivery, as received; any may be null. */
    public record Headers(String requestId, String userId, String timestamp, String signature) {

        public static Headers from(Function<String, String> header) {
            return new Headers(header.apply(REQUEST_ID_HEADER), header.apply(USER_ID_HEADER), header.apply(TIMESTAMP_HEADER),
                    header.apply(SIGNATURE_HEADER));
        }
    }

    /** The headers that sign {@code body} for a delivery of {@code requestId} at {@code epochSecond}. */
    public static Headers sign(PrivateKey key, String requestId, String userId, long epochSecond, byte[] body) {
        String timestamp = Long.toString(epochSecond);
        try {
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(key);
            signer.update(message(requestId, userId, timestamp, body));
            return new Headers(requestId, userId, timestamp, HexFormat.of().formatHex(signer.sign()));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("could not sign with an Ed25519 key", e);
        }
    }

    /** Whether {@code key} made {@code signature} over the delivery's message. */
    static boolean verifies(PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature verifier = Signature.getInstance(ALGORITHM);
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        }
        catch (GeneralSecurityException e) {
            return false;
        }
    }

    static byte[] message(String requestId, String userId, String timestamp, byte[] body) {
        return (requestId + "\n" + userId + "\n" + timestamp + "\n" + Hashing.sha256Hex(body)).getBytes(StandardCharsets.UTF_8);
    }
}
