package com.ltxgateway.access;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Authenticates {@code Authorization: Bearer <api key>}, and on the proxy facade ({@code /api/fal/}) also
 * {@code Key <api key>} as fal's clients send credentials; an invalid or revoked key ends the request with 401, and
 * an address that sent too many of those gets 429 for any key until its throttle lets it try again.
 * Elsewhere {@code Key} is left alone: the sandbox's stand-in for fal's queue takes fal's own scheme.
 */
class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    private static final List<String> SCHEMES = List.of("Bearer ");
    private static final List<String> PROXY_SCHEMES = List.of("Bearer ", "Key ");
    private static final String PROXY_PATH = "/api/fal/";

    private final ApiKeyAuthenticator authenticator;
    private final ApiKeyGuesses guesses;
    private final AuthenticationEntryPoint entryPoint;
    private final HandlerExceptionResolver problems;

    ApiKeyAuthenticationFilter(ApiKeyAuthenticator authenticator, ApiKeyGuesses guesses, AuthenticationEntryPoint entryPoint,
            HandlerExceptionResolver problems) {
        this.authenticator = authenticator;
        this.guesses = guesses;
        this.entryPoint = entryPoint;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        List<String> schemes = request.getRequestURI().startsWith(PROXY_PATH) ? PROXY_SCHEMES : SCHEMES;
        String scheme = header == null ? null
                : schemes.stream().filter(candidate -> header.regionMatches(true, 0, candidate, 0, candidate.length())).findFirst().orElse(null);
        if (scheme == null) {
            chain.doFilter(request, response);
            return;
        }
        String address = request.getRemoteAddr();
        Optional<UnknownApiKeysThrottled> refused = guesses.refusing(address);
        if (refused.isPresent()) {
            problems.resolveException(request, response, null, refused.get());
            return;
        }
        var caller = authenticator.authenticate(header.substring(scheme.length()).strip());
        if (caller.isEmpty()) {
            SecurityContextHolder.clearContext();
            refused = guesses.unknownKey(address);
            if (refused.isPresent()) {
                problems.resolveException(request, response, null, refused.get());
            }
            else {
                entryPoint.commence(request, response, new BadCredentialsException("The API key is unknown or revoked"));
            }
            return;
        }
        var context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new CallerAuthentication(caller.get()));
        SecurityContextHolder.setContext(context);
        chain.doFilter(request, response);
    }

    static final class CallerAuthentication extends AbstractAuthenticationToken {

        private final Caller caller;

        CallerAuthentication(Caller caller) {
            super(List.of(new SimpleGrantedAuthority(caller.admin() ? "ROLE_ADMIN" : "ROLE_TEAM")));
            this.caller = caller;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Caller getPrincipal() {
            return caller;
        }
    }
}
