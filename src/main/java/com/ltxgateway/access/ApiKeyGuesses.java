package com.ltxgateway.access;

import java.util.Optional;

import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.throttle.Refusal;
import com.ltxgateway.throttle.UnknownApiKeyThrottle;

import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/** Unknown API keys per client address, throttled; the first refusal of a burst is written to the audit log. */
@Component
class ApiKeyGuesses {

    private final UnknownApiKeyThrottle throttle;
    private final AuditLog auditLog;
    private final TransactionTemplate transactions;

    ApiKeyGuesses(UnknownApiKeyThrottle throttle, AuditLog auditLog, TransactionTemplate transactions) {
        this.throttle = throttle;
        this.auditLog = auditLog;
        this.transactions = transactions;
    }

    /** The problem to answer while {@code address} may not present keys, before its key is looked at. */
    Optional<UnknownApiKeysThrottled> refusing(String address) {
        return throttle.refusing(address).map(refusal -> refused(refusal, address));
    }

    /** Counts an unknown key; the problem to answer instead of 401 when that was one too many. */
    Optional<UnknownApiKeysThrottled> unknownKey(String address) {
        return throttle.unknownKey(address).map(refusal -> refused(refusal, address));
    }

    private UnknownApiKeysThrottled refused(Refusal refusal, String address) {
        if (refusal.firstOfBurst()) {
            transactions.executeWithoutResult(tx -> auditLog.record("ip:" + address, "api.unknown_keys_throttled",
                    "retry-after:" + refusal.retryAfterSeconds() + "s"));
        }
        return new UnknownApiKeysThrottled(refusal.retryAfterSeconds());
    }
}
