package com.ltxgateway.access;

import com.ltxgateway.ApiProblem;

public class TeamNotFound extends ApiProblem.NotFound {

    public TeamNotFound(String slug) {
        super("No team '" + slug + "'");
    }
}
