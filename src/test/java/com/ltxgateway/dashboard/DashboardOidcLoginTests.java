package com.ltxgateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.oidcLogin;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import com.ltxgateway.support.GatewayTestSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.test.context.TestPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;

/**
 * OpenID Connect sign-in configured by properties alone. The provider's endpoints are given rather than discovered,
 * so no provider has to run: the tests stop at the redirect to it, and sign people in as it would have.
 */
@TestPropertySource(properties = {
        "spring.security.oauth2.client.registration.example.client-id=gateway",
        "spring.security.oauth2.client.registration.example.client-secret=secret",
        "spring.security.oauth2.client.registration.example.client-name=Example ID",
        "spring.security.oauth2.client.registration.example.scope=openid,email",
        "spring.security.oauth2.client.registration.example.authorization-grant-type=authorization_code",
        "spring.security.oauth2.client.registration.example.redirect-uri={baseUrl}/login/oauth2/code/{registrationId}",
        "spring.security.oauth2.client.provider.example.authorization-uri=https://id.example.com/authorize",
        "spring.security.oauth2.client.provider.example.token-uri=https://id.example.com/token",
        "spring.security.oauth2.client.provider.example.jwk-set-uri=https://id.example.com/jwks",
        "gateway.dashboard.oidc.admin-email-domain=example.com" })
class DashboardOidcLoginTests extends GatewayTestSupport {

    @Autowired
    private MockMvc mvc;

    @Test
    void offersTheProviderOnTheLoginPageAndSendsPeopleThere() throws Exception {
        String login = mvc.perform(get("/login")).andReturn().getResponse().getContentAsString();
        assertThat(login).contains("href=\"/oauth2/authorization/example\"").contains("Sign in with Example ID");

        MvcResult redirect = mvc.perform(get("/oauth2/authorization/example")).andReturn();

        assertThat(redirect.getResponse().getStatus()).isEqualTo(302);
        assertThat(redirect.getResponse().getRedirectedUrl()).startsWith("https://id.example.com/authorize?")
                .contains("client_id=gateway").contains("scope=openid%20email")
                .contains("redirect_uri=http://localhost/login/oauth2/code/example");
    }

    @Test
    void saysWhenTheProviderTurnedSomeoneAway() throws Exception {
        MvcResult callback = mvc.perform(get("/login/oauth2/code/example").param("error", "access_denied")
                .param("state", "unknown")).andReturn();

        assertThat(callback.getResponse().getRedirectedUrl()).isEqualTo("/login?error=provider");
        assertThat(mvc.perform(get("/login").param("error", "provider")).andReturn().getResponse().getContentAsString())
                .contains("The identity provider did not sign you in.").doesNotContain("Wrong user name or password.");
    }

    @Test
    void opensTheDashboardToAdminsOnly() throws Exception {
        MvcResult admin = mvc.perform(get("/admin/trainings").with(oidcLogin()
                .idToken(token -> token.claim("email", "ada@example.com"))
                .authorities(new SimpleGrantedAuthority("ROLE_" + DashboardUsers.ADMIN_ROLE)))).andReturn();
        MvcResult stranger = mvc.perform(get("/admin/trainings").with(oidcLogin()
                .idToken(token -> token.claim("email", "eve@elsewhere.org")))).andReturn();

        assertThat(admin.getResponse().getStatus()).isEqualTo(200);
        assertThat(stranger.getResponse().getStatus()).isEqualTo(403);
        assertThat(stranger.getResponse().getForwardedUrl()).isEqualTo(DashboardSecurityConfiguration.FORBIDDEN_PAGE);
    }
}
