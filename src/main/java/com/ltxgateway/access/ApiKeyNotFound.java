package com.ltxgateway.access;

public class ApiKeyNotFound extends RuntimeException {

    public ApiKeyNotFound(String id) {
        super("No API key '" + id + "'");
    }
}
