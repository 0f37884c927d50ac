package com.ltxgateway.access;

import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.throttle.SignInThrottle;
import com.ltxgateway.throttle.UnknownApiKeyThrottle;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** An admin lets a locked-out person or client try again before its throttle would: audited, for every replica. */
@Service
public class ThrottleAdministration {

    private final SignInThrottle signIns;
    private final UnknownApiKeyThrottle apiKeys;
    private final AuditLog auditLog;

    ThrottleAdministration(SignInThrottle signIns, UnknownApiKeyThrottle apiKeys, AuditLog auditLog) {
        this.signIns = signIns;
        this.apiKeys = apiKeys;
        this.auditLog = auditLog;
    }

    /** Failed sign-ins of {@code username} are forgotten: the next one is checked, from any address. */
    @Transactional
    public void clearSignIns(String actor, String username) {
        signIns.forgetUser(username);
        auditLog.record(actor, "throttle.cleared", "dashboard:" + username);
    }

    /** Failed sign-ins and unknown API keys from {@code address} are forgotten. */
    @Transactional
    public void clearAddress(String actor, String address) {
        if (!UnknownApiKeyThrottle.isAddressLiteral(address)) {
            throw new NotAnIpAddress(address);
        }
        signIns.forgetAddress(address);
        apiKeys.forget(address);
        auditLog.record(actor, "throttle.cleared", "ip:" + address);
    }
}
