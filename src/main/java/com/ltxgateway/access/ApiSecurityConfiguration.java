package com.ltxgateway.access;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The REST API is stateless and authenticated by bearer API keys. Security failures are handed to the MVC
 * exception resolver, so they become the same RFC 9457 problems as every other error.
 */
@Configuration(proxyBeanMethods = false)
class ApiSecurityConfiguration {

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeyAuthenticator authenticator, ApiKeyGuesses guesses,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver resolver) throws Exception {
        AuthenticationEntryPoint entryPoint = (request, response, e) -> resolver.resolveException(request, response, null, e);
        AccessDeniedHandler accessDenied = (request, response, e) -> resolver.resolveException(request, response, null, e);
        return http
                .securityMatcher("/v1/**", "/api/fal/**", "/sandbox/**", "/fal/**", "/actuator/**", "/v3/api-docs", "/v3/api-docs/**", "/error")
                .csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable())
                .anonymous(anonymous -> {})
                .authorizeHttpRequests(requests -> requests
                        // Probes and the scraper carry no key. Health shows details to admin keys only; metrics hold
                        // no secrets, and a separate management.server.port keeps them off the public ingress.
                        .requestMatchers("/sandbox/**", "/fal/webhooks/**", "/actuator/health", "/actuator/health/**",
                                "/actuator/info", "/actuator/prometheus", "/v3/api-docs", "/v3/api-docs/**", "/error").permitAll()
                        // fal's upload protocol: the token in the URL is the credential, as in fal's signed URLs.
                        .requestMatchers("/api/fal/storage/uploads/**").permitAll()
                        .requestMatchers("/v1/admin/**").hasRole("ADMIN")
                        .requestMatchers("/v1/**", "/api/fal/proxy").authenticated()
                        .anyRequest().denyAll())
                .exceptionHandling(handling -> handling.authenticationEntryPoint(entryPoint).accessDeniedHandler(accessDenied))
                .addFilterBefore(new ApiKeyAuthenticationFilter(authenticator, guesses, entryPoint, resolver), AnonymousAuthenticationFilter.class)
                .build();
    }
}
