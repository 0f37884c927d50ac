package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;

/** Who an OpenID Connect provider's users are to the dashboard. */
class OidcAdminRuleTests {

    private static final String ADMIN = "ROLE_" + DashboardUsers.ADMIN_ROLE;

    @Test
    void makesAdminsOfThoseWithTheClaimAsAStringOrInAList() {
        var rule = new OidcAdminRule("groups=gateway-admins", null);

        assertThat(rule.isAdmin(Map.of("groups", "gateway-admins"))).isTrue();
        assertThat(rule.isAdmin(Map.of("groups", List.of("staff", "gateway-admins")))).isTrue();
        assertThat(rule.isAdmin(Map.of("groups", List.of("staff")))).isFalse();
        assertThat(rule.isAdmin(Map.of("groups", "gateway-admins-not"))).isFalse();
        assertThat(rule.isAdmin(Map.of("roles", "gateway-admins"))).isFalse();
        assertThat(rule.isAdmin(Map.of())).isFalse();
    }

    @Test
    void makesAdminsOfVerifiedAddressesInTheDomainOnly() {
        var rule = new OidcAdminRule(null, "Example.com");

        assertThat(rule.isAdmin(Map.of("email", "ada@EXAMPLE.com", "email_verified", true))).isTrue();
        assertThat(rule.isAdmin(Map.of("email", "ada@example.com", "email_verified", false))).isFalse();
        assertThat(rule.isAdmin(Map.of("email", "ada@example.com"))).as("verification unknown").isFalse();
        assertThat(rule.isAdmin(Map.of("email", "ada@evil-example.com", "email_verified", true))).isFalse();
        assertThat(rule.isAdmin(Map.of("email", "ada@example.com.evil.net", "email_verified", true))).isFalse();
    }

    @Test
    void makesNobodyAnAdminWithoutARule() {
        var rule = new OidcAdminRule(null, " ");

        assertThat(rule.isAdmin(Map.of("email", "ada@example.com", "email_verified", true, "groups", "admins"))).isFalse();
    }

    @Test
    void refusesAClaimRuleWithoutAValue() {
        assertThatIllegalArgumentException().isThrownBy(() -> new OidcAdminRule("groups", null))
                .withMessageContaining("name=value");
    }

    @Test
    void givesTheAdminRoleAndTheEmailAsTheNameToThoseTheRuleNames() {
        var admins = new OidcAdmins(request -> user(request, "ada@example.com"), new OidcAdminRule(null, "example.com"));

        OidcUser admin = admins.loadUser(request());
        OidcUser stranger = new OidcAdmins(request -> user(request, "eve@elsewhere.org"), new OidcAdminRule(null, "example.com"))
                .loadUser(request());

        assertThat(admin.getName()).isEqualTo("ada@example.com");
        assertThat(admin.getAuthorities()).extracting(GrantedAuthority::getAuthority).contains(ADMIN);
        assertThat(stranger.getName()).isEqualTo("eve@elsewhere.org");
        assertThat(stranger.getAuthorities()).extracting(GrantedAuthority::getAuthority).doesNotContain(ADMIN);
    }

    private static OidcUserRequest request() {
        var registration = ClientRegistration.withRegistrationId("example")
                .clientId("gateway")
                .authorizationGrantType(AuthorizationGrantType.AUTHORIZATION_CODE)
                .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}")
                .authorizationUri("https://id.example.com/authorize")
                .tokenUri("https://id.example.com/token")
                .build();
        var accessToken = new OAuth2AccessToken(OAuth2AccessToken.TokenType.BEARER, "token", Instant.now(),
                Instant.now().plusSeconds(60));
        return new OidcUserRequest(registration, accessToken, idToken("someone@example.com"));
    }

    private static OidcUser user(OidcUserRequest request, String email) {
        return new DefaultOidcUser(List.of(), idToken(email));
    }

    private static OidcIdToken idToken(String email) {
        return OidcIdToken.withTokenValue("id-token")
                .subject("subject-" + email.hashCode())
                .claim("email", email)
                .claim("email_verified", true)
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(60))
                .build();
    }
}
