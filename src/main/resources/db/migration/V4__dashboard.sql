-- People who sign in to the admin dashboard. Unlike API keys, passwords are chosen by people, so they are stored
-- with a slow, salted hash ({id}-prefixed, as Spring Security's DelegatingPasswordEncoder writes them).
CREATE TABLE dashboard_user (
    id             uuid         PRIMARY KEY,
    username       varchar(100) NOT NULL UNIQUE,
    password_hash  varchar(500) NOT NULL,
    created_at     timestamptz  NOT NULL
);
