package com.ltxgateway.access;

public class TeamNotFound extends RuntimeException {

    public TeamNotFound(String slug) {
        super("No team '" + slug + "'");
    }
}
