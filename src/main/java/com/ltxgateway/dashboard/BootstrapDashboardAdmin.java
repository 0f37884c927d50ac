package com.ltxgateway.dashboard;

import com.ltxgateway.access.BootstrapProperties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;
import org.springframework.util.StringUtils;

/**
 * Creates the first dashboard admin from {@code GATEWAY_BOOTSTRAP_ADMIN_USERNAME} and
 * {@code GATEWAY_BOOTSTRAP_ADMIN_PASSWORD} when no user of that name exists. An existing user is left as it is, so a
 * restart never resets a password.
 */
@Component
class BootstrapDashboardAdmin implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(BootstrapDashboardAdmin.class);

    private final BootstrapProperties properties;
    private final DashboardUsers users;
    private final PasswordEncoder passwords;

    BootstrapDashboardAdmin(BootstrapProperties properties, DashboardUsers users, PasswordEncoder passwords) {
        this.properties = properties;
        this.users = users;
        this.passwords = passwords;
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
        }
    }
}
