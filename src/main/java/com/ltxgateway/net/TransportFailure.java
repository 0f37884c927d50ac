package com.ltxgateway.net;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

import javax.net.ssl.SSLException;

import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.timeout.ReadTimeoutException;
import reactor.netty.http.client.PrematureCloseException;
import tools.jackson.core.JacksonException;

import com.ltxgateway.Causes;

import org.springframework.core.io.buffer.DataBufferLimitException;

/**
 * Why an outbound call got no answer, in the words the gateway stores and shows for fal's calls and for webhook
 * deliveries alike. The reason never holds the exception's message: messages may carry URLs with credentials.
 */
final class TransportFailure {

    private TransportFailure() {
    }

    /**
     * The first transport cause wins, outermost first; a parser that read from a dropped connection reports the
     * drop, so an unreadable body is only the answer when no transport cause is found.
     *
     * @param readTimeout how long a response may be silent
     * @param callTimeout how long a whole call may take
     */
    static String reason(Throwable failure, Duration readTimeout, Duration callTimeout) {
        Throwable root = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            root = t;
            String reason = switch (t) {
                case OutboundAddressRefused e -> "refused: " + e.getMessage();
                case ReadTimeoutException e -> "timeout after " + format(readTimeout);
                case TimeoutException e -> "timeout after " + format(callTimeout);
                case ConnectTimeoutException e -> "connect timeout";
                case ConnectException e -> "connection refused";
                case UnknownHostException e -> "unknown host";
                case NoRouteToHostException e -> "no route to host";
                case PrematureCloseException e -> "connection closed prematurely";
                case DataBufferLimitException e -> "response too large";
                case SSLException e -> "TLS failure";
                default -> null;
            };
            if (reason != null) {
                return reason;
            }
        }
        if (Causes.find(failure, JacksonException.class) != null) {
            return "unparseable response";
        }
        return "I/O failure (" + root.getClass().getSimpleName() + ")";
    }

    private static String format(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + "s" : duration.toMillis() + "ms";
    }
}
