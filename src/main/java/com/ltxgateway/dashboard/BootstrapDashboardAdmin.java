package com.ltxgateway.dashboard;

import com.ltxgateway.access.BootstrapProperties;
import com.ltxgateway.audit.AuditLog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.StringUtils;

/**
 * Creates the first dashboard admin from {@code GATEWAY_BOOTSTRAP_ADMIN_USERNAME} and
 * {@code GATEWAY_BOOTSTRAP_ADMIN_PASSWORD} when no user of that name exists. An existing user keeps its password, so a
 * restart never resets one: a changed {@code GATEWAY_BOOTSTRAP_ADMIN_PASSWORD} is applied only with
 * {@code GATEWAY_BOOTSTRAP_ADMIN_PASSWORD_RESET=true} (audited), and otherwise said in the log.
 */
@Component
class BootstrapDashboardAdmin implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapDashboardAdmin.class);

    private final BootstrapProperties properties;
    private final DashboardUsers users;
    private final PasswordEncoder passwords;
    private final AuditLog auditLog;
    private final TransactionTemplate transactions;

    BootstrapDashboardAdmin(BootstrapProperties properties, DashboardUsers users, PasswordEncoder passwords, AuditLog auditLog,
            TransactionTemplate transactions) {
        this.properties = properties;
        this.users = users;
        this.passwords = passwords;
        this.auditLog = auditLog;
        this.transactions = transactions;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!StringUtils.hasText(properties.adminPassword())) {
            return;
        }
        if (!StringUtils.hasText(properties.adminUsername())) {
            throw new IllegalStateException("gateway.bootstrap.admin-username must not be blank when a password is set");
        }
        String username = properties.adminUsername().strip();
        if (users.createIfAbsent(username, passwords.encode(properties.adminPassword()))) {
            log.info("Dashboard admin '{}' created", username);
            return;
        }
        String stored = users.passwordHash(username).orElse(null);
        if (stored == null || passwords.matches(properties.adminPassword(), stored)) {
            return;
        }
        if (!properties.adminPasswordReset()) {
            log.warn("GATEWAY_BOOTSTRAP_ADMIN_PASSWORD differs from dashboard admin '{}''s password, which is left as it is;"
                    + " set GATEWAY_BOOTSTRAP_ADMIN_PASSWORD_RESET=true for one start to apply it", username);
            return;
        }
        String hash = passwords.encode(properties.adminPassword());
        transactions.executeWithoutResult(tx -> {
            users.setPasswordHash(username, hash);
            auditLog.record("bootstrap", "dashboard.password_reset", "dashboard_user:" + username);
        });
        log.warn("Dashboard admin '{}''s password was reset from GATEWAY_BOOTSTRAP_ADMIN_PASSWORD; remove"
                + " GATEWAY_BOOTSTRAP_ADMIN_PASSWORD_RESET", username);
    }
}
