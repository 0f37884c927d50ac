package com.ltxgateway.access;

import com.ltxgateway.ApiProblem;

public class TeamSlugTaken extends ApiProblem.Conflict {

    public TeamSlugTaken(String slug) {
        super("A team with slug '" + slug + "' exists already");
    }
}
