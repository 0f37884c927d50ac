package com.ltxgateway.dashboard;

import com.ltxgateway.throttle.SignInThrottle;

import jakarta.servlet.DispatcherType;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.AccessDeniedHandlerImpl;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.security.web.util.matcher.AnyRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.RequestHeaderRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The dashboard is for people in a browser: a session after form login (or OpenID Connect login, when a provider is
 * configured), CSRF tokens on every form, and headers that
 * keep the pages from running anything but the gateway's own scripts. It is a chain of its own, beside the API's
 * stateless bearer-key chain, so API keys never open it and sessions never reach the API.
 */
@Configuration(proxyBeanMethods = false)
public class DashboardSecurityConfiguration {

    /** Where a signed-in person who may not see a page is sent. */
    public static final String FORBIDDEN_PAGE = "/admin/forbidden";

    public static final String LOGIN_PAGE = "/login";

    /** Where a throttled sign-in is forwarded to: the sign-in page, answered 429 with when to try again. */
    public static final String THROTTLED_PAGE = "/login/throttled";

    /** The request attribute that carries the throttle's refusal to {@link #THROTTLED_PAGE}. */
    public static final String THROTTLED_REFUSAL = DashboardSecurityConfiguration.class.getName() + ".throttled";

    /**
     * Media may come from any https origin: output videos live on fal's file storage. Everything else is the
     * gateway's own, and no inline script or style runs.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; media-src 'self' https:; connect-src 'self'; font-src 'self'; object-src 'none'; "
            + "base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    private static final RequestMatcher HTMX_REQUEST = new RequestHeaderRequestMatcher("HX-Request", "true");

    /** Bcrypt for new hashes; the {id} prefix lets a later default take over without invalidating old hashes. */
    @Bean
    PasswordEncoder dashboardPasswordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    @Order(1)
    SecurityFilterChain dashboardSecurity(HttpSecurity http, DashboardUsers users, PasswordEncoder passwords,
            LoginAudit loginAudit, SignInThrottle signInThrottle, ObjectProvider<ClientRegistrationRepository> openIdProviders,
            OidcAdmins oidcAdmins)
            throws Exception {
        var provider = new DaoAuthenticationProvider(users);
        provider.setPasswordEncoder(passwords);
        var requestCache = new HttpSessionRequestCache();
        // Only a page is worth returning to after login, not a polled fragment.
        requestCache.setRequestMatcher(new AndRequestMatcher(request -> "GET".equals(request.getMethod()),
                new NegatedRequestMatcher(HTMX_REQUEST)));
        http
                .securityMatcher("/admin", "/admin/**", LOGIN_PAGE, THROTTLED_PAGE, "/logout", "/assets/**", "/webjars/**",
                        "/oauth2/**", "/login/oauth2/**")
                .authenticationManager(new ProviderManager(provider))
                .authorizeHttpRequests(requests -> requests
                        .requestMatchers(LOGIN_PAGE, THROTTLED_PAGE, "/assets/**", "/webjars/**").permitAll()
                        // The forbidden page is forwarded to after a refusal, signed in or not.
                        .dispatcherTypeMatchers(DispatcherType.FORWARD).permitAll()
                        .anyRequest().hasRole(DashboardUsers.ADMIN_ROLE))
                .formLogin(form -> form
                        .loginPage(LOGIN_PAGE)
                        .successHandler(loginAudit)
                        .failureHandler(loginAudit))
                .logout(logout -> logout
                        .logoutUrl("/logout")
                        .addLogoutHandler(loginAudit)
                        .logoutSuccessUrl(LOGIN_PAGE + "?logout"))
                .addFilterBefore(new SignInThrottleFilter(signInThrottle, loginAudit), UsernamePasswordAuthenticationFilter.class)
                .requestCache(cache -> cache.requestCache(requestCache))
                .exceptionHandling(handling -> handling
                        .accessDeniedHandler(forbiddenPage())
                        .defaultAuthenticationEntryPointFor(htmxLogin(), HTMX_REQUEST)
                        .defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint(LOGIN_PAGE),
                                AnyRequestMatcher.INSTANCE))
                .headers(headers -> headers
                        .contentSecurityPolicy(csp -> csp.policyDirectives(CONTENT_SECURITY_POLICY))
                        .frameOptions(frames -> frames.deny())
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.SAME_ORIGIN)));
        // Spring Boot makes the repository from spring.security.oauth2.client.* properties, and only when they are set.
        if (openIdProviders.getIfAvailable() != null) {
            http.oauth2Login(login -> login
                    .loginPage(LOGIN_PAGE)
                    .userInfoEndpoint(userInfo -> userInfo.oidcUserService(oidcAdmins))
                    .successHandler(loginAudit)
                    .failureHandler(loginAudit));
        }
        return http.build();
    }

    /** A refused form post (most often an expired CSRF token) gets a page that says what to do, not a bare 403. */
    private static AccessDeniedHandler forbiddenPage() {
        var handler = new AccessDeniedHandlerImpl();
        handler.setErrorPage(FORBIDDEN_PAGE);
        return handler;
    }

    /** A poll whose session has ended would otherwise swap the login page into the table: send the page there. */
    private static AuthenticationEntryPoint htmxLogin() {
        return (request, response, e) -> {
            response.setHeader("HX-Redirect", LOGIN_PAGE);
            response.setStatus(HttpStatus.UNAUTHORIZED.value());
        };
    }
}
