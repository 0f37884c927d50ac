package com.ltxgateway.training;

import com.ltxgateway.ApiProblem;
import com.ltxgateway.ProblemType;

import org.springframework.http.HttpStatus;

/** Admin keys belong to no team, so they cannot own trainings. */
public class TeamKeyRequired extends ApiProblem {

    public TeamKeyRequired() {
        super(HttpStatus.FORBIDDEN, ProblemType.FORBIDDEN, "Team key required",
                "Trainings are created with a team API key; admin keys belong to no team");
    }
}
