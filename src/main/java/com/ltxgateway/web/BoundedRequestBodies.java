package com.ltxgateway.web;

import com.ltxgateway.LimitedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Type;

import org.springframework.core.MethodParameter;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.RequestBodyAdviceAdapter;

/**
 * Caps every JSON request body, whether or not the client sent a Content-Length, before the parser has buffered
 * more than the limit.
 */
@ControllerAdvice
class BoundedRequestBodies extends RequestBodyAdviceAdapter {

    private final long limit;

    BoundedRequestBodies(ApiProperties properties) {
        this.limit = properties.maxBodySize().toBytes();
    }

    @Override
    public boolean supports(MethodParameter parameter, Type targetType, Class<? extends HttpMessageConverter<?>> converterType) {
        return true;
    }

    @Override
    public HttpInputMessage beforeBodyRead(HttpInputMessage message, MethodParameter parameter, Type targetType,
            Class<? extends HttpMessageConverter<?>> converterType) throws IOException {
        if (message.getHeaders().getContentLength() > limit) {
            throw new BodyTooLarge(limit);
        }
        InputStream bounded = new LimitedInputStream(message.getBody(), limit, BodyTooLarge::new);
        return new HttpInputMessage() {
            @Override
            public InputStream getBody() {
                return bounded;
            }

            @Override
            public HttpHeaders getHeaders() {
                return message.getHeaders();
            }
        };
    }
}
