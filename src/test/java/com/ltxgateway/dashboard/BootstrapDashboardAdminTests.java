package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.UUID;

import com.ltxgateway.access.BootstrapProperties;
import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.transaction.support.TransactionTemplate;

/** The first dashboard admin: a password of some strength, changed on an admin's explicit request only. */
class BootstrapDashboardAdminTests extends GatewayTestSupport {

    @Autowired
    DashboardUsers users;

    @Autowired
    PasswordEncoder passwords;

    @Autowired
    AuditLog auditLog;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TransactionTemplate transactions;

    @Test
    void aWeakBootstrapPasswordIsRefusedAtStartAndNeverPrinted() {
        assertThatThrownBy(() -> new BootstrapProperties(null, "admin", "short", false))
                .hasMessageContaining("at least 12 characters");
        assertThatThrownBy(() -> new BootstrapProperties(null, "admin", "aaaaaabbbbbbbb", false))
                .hasMessageContaining("at least 6 different ones");
        assertThat(new BootstrapProperties(null, "admin", "correct-horse-battery", false).toString()).doesNotContain("correct-horse");
    }

    @Test
    void aChangedPasswordIsAppliedOnlyWithTheResetFlagAndAudited() {
        String username = "admin-" + UUID.randomUUID().toString().substring(0, 8);
        bootstrap(username, "first-password-123", false);
        String first = users.passwordHash(username).orElseThrow();

        bootstrap(username, "second-password-456", false);
        assertThat(users.passwordHash(username)).as("a restart never resets a password").contains(first);

        bootstrap(username, "second-password-456", true);
        assertThat(passwords.matches("second-password-456", users.passwordHash(username).orElseThrow())).isTrue();
        assertThat(jdbc.sql("select actor || ' ' || action from audit_log where target = ?").param("dashboard_user:" + username)
                .query(String.class).list()).containsExactly("bootstrap dashboard.password_reset");

        bootstrap(username, "second-password-456", true);
        assertThat(jdbc.sql("select count(*) from audit_log where target = ?").param("dashboard_user:" + username).query(Long.class).single())
                .as("nothing to reset once applied").isOne();
    }

    private void bootstrap(String username, String password, boolean reset) {
        new BootstrapDashboardAdmin(new BootstrapProperties(null, username, password, reset), users, passwords, auditLog, transactions).run(null);
    }
}
