package com.ltxgateway.dashboard;

import java.io.IOException;

import com.ltxgateway.audit.AuditLog;
import com.ltxgateway.throttle.Refusal;
import com.ltxgateway.throttle.SignInThrottle;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.security.web.authentication.logout.LogoutHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records every sign-in, failed sign-in and sign-out in the audit log, then carries on as form login would. A password
 * sign-in that succeeded is given back to its throttle, so that only failures count.
 */
@Component
class LoginAudit implements AuthenticationSuccessHandler, AuthenticationFailureHandler, LogoutHandler {

    /** The audit log's actor column holds 200 characters; a typed user name can be anything. */
    private static final int MAX_USERNAME = 100;

    private final AuditLog auditLog;
    private final TransactionTemplate transactions;
    private final SignInThrottle throttle;
    private final SavedRequestAwareAuthenticationSuccessHandler success = new SavedRequestAwareAuthenticationSuccessHandler();
    private final SimpleUrlAuthenticationFailureHandler failure =
            new SimpleUrlAuthenticationFailureHandler(DashboardSecurityConfiguration.LOGIN_PAGE + "?error");
    private final SimpleUrlAuthenticationFailureHandler providerFailure =
            new SimpleUrlAuthenticationFailureHandler(DashboardSecurityConfiguration.LOGIN_PAGE + "?error=provider");

    LoginAudit(AuditLog auditLog, TransactionTemplate transactions, SignInThrottle throttle) {
        this.auditLog = auditLog;
        this.transactions = transactions;
        this.throttle = throttle;
        success.setDefaultTargetUrl("/admin");
    }

    @Override
    public void onAuthenticationSuccess(HttpServletRequest request, HttpServletResponse response,
            Authentication authentication) throws IOException, ServletException {
        record(authentication.getName(), "dashboard.login", request);
        if (authentication instanceof UsernamePasswordAuthenticationToken) {
            throttle.succeeded(typedUsername(request), request.getRemoteAddr());
        }
        success.onAuthenticationSuccess(request, response, authentication);
    }

    @Override
    public void onAuthenticationFailure(HttpServletRequest request, HttpServletResponse response,
            AuthenticationException exception) throws IOException, ServletException {
        record(typedUsername(request), "dashboard.login_failed", request);
        // "Wrong password" would mislead someone who typed none: the identity provider turned them away.
        (exception instanceof OAuth2AuthenticationException ? providerFailure : failure)
                .onAuthenticationFailure(request, response, exception);
    }

    @Override
    public void logout(HttpServletRequest request, HttpServletResponse response, Authentication authentication) {
        if (authentication != null) {
            record(authentication.getName(), "dashboard.logout", request);
        }
    }

    /** The first refusal of a burst of throttled sign-ins; the rest of the burst is only counted. */
    void throttled(HttpServletRequest request, Refusal refusal) {
        if (refusal.firstOfBurst()) {
            record(typedUsername(request), "dashboard.login_throttled", request);
        }
    }

    static String typedUsername(HttpServletRequest request) {
        String typed = request.getParameter("username");
        return typed == null ? "" : typed;
    }

    private void record(String username, String action, HttpServletRequest request) {
        String actor = DashboardUsers.actor(printable(username));
        transactions.executeWithoutResult(tx -> auditLog.record(actor, action, "ip:" + request.getRemoteAddr()));
    }

    private static String printable(String text) {
        String cleaned = text.replaceAll("[\\p{Cc}\\p{Cs}]", "?");
        return cleaned.length() > MAX_USERNAME ? cleaned.substring(0, MAX_USERNAME) + "…" : cleaned;
    }
}
