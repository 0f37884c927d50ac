package com.ltxgateway.dashboard;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Component;

/** The dashboard's users. Every one of them is an admin: the dashboard has nothing to offer anyone else. */
@Component
public class DashboardUsers implements UserDetailsService {

    static final String ADMIN_ROLE = "ADMIN";
    private static final String ACTOR_PREFIX = "dashboard:";

    private final JdbcClient jdbc;
    private final Clock clock;

    DashboardUsers(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        return jdbc.sql("select username, password_hash from dashboard_user where username = ?")
                .param(username)
                .query((rs, n) -> User.withUsername(rs.getString("username")).password(rs.getString("password_hash"))
                        .roles(ADMIN_ROLE).build())
                .optional()
                .orElseThrow(() -> new UsernameNotFoundException("No dashboard user '" + username + "'"));
    }

    /** Returns false when the user exists already; replicas that race to create the same user do not fail. */
    boolean createIfAbsent(String username, String passwordHash) {
        return jdbc.sql("""
                insert into dashboard_user (id, username, password_hash, created_at) values (?, ?, ?, ?)
                on conflict (username) do nothing""")
                .params(UUID.randomUUID(), username, passwordHash, Timestamp.from(clock.instant()))
                .update() == 1;
    }

    /** The user's password hash; empty when there is no such user. */
    Optional<String> passwordHash(String username) {
        return jdbc.sql("select password_hash from dashboard_user where username = ?").param(username).query(String.class).optional();
    }

    void setPasswordHash(String username, String passwordHash) {
        jdbc.sql("update dashboard_user set password_hash = ? where username = ?").params(passwordHash, username).update();
    }

    /** How a dashboard user appears in the audit log and on training timelines. */
    public static String actor(String username) {
        return ACTOR_PREFIX + username;
    }
}
