package com.ltxgateway.access;

public class TeamSlugTaken extends RuntimeException {

    public TeamSlugTaken(String slug) {
        super("A team with slug '" + slug + "' exists already");
    }
}
