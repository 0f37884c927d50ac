package com.ltxgateway.access;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** Admin keys belong to no team, so they cannot own what teams own: trainings, datasets. */
public class TeamKeyRequired extends ApiProblem {

    /** @param what what the caller tried to create, such as "Trainings" */
    public TeamKeyRequired(String what) {
        super(HttpStatus.FORBIDDEN, ProblemType.FORBIDDEN, "Team key required",
                what + " are created with a team API key; admin keys belong to no team");
    }
}
