package com.ltxgateway.dashboard;

import java.util.HashSet;
import java.util.Set;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.oidc.StandardClaimNames;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.stereotype.Component;

/**
 * Signs people in through the OpenID Connect provider as the provider says, and makes admins of those the rule names.
 * Their name, in the header and in the audit log, is their email address when the provider gives one: the subject
 * is an opaque id nobody recognizes.
 */
@Component
class OidcAdmins implements OAuth2UserService<OidcUserRequest, OidcUser> {

    private final OAuth2UserService<OidcUserRequest, OidcUser> provider;
    private final OidcAdminRule rule;

    @Autowired
    OidcAdmins(OidcAdminRule rule) {
        this(new OidcUserService(), rule);
    }

    OidcAdmins(OAuth2UserService<OidcUserRequest, OidcUser> provider, OidcAdminRule rule) {
        this.provider = provider;
        this.rule = rule;
    }

    @Override
    public OidcUser loadUser(OidcUserRequest request) {
        OidcUser user = provider.loadUser(request);
        Set<GrantedAuthority> authorities = new HashSet<>(user.getAuthorities());
        if (rule.isAdmin(user.getClaims())) {
            authorities.add(new SimpleGrantedAuthority("ROLE_" + DashboardUsers.ADMIN_ROLE));
        }
        String name = user.getEmail() != null ? StandardClaimNames.EMAIL : StandardClaimNames.SUB;
        return new DefaultOidcUser(authorities, user.getIdToken(), user.getUserInfo(), name);
    }
}
