package com.ltxgateway.training;

/** Admin keys belong to no team, so they cannot own trainings. */
public class TeamKeyRequired extends RuntimeException {

    public TeamKeyRequired() {
        super("Trainings are created with a team API key; admin keys belong to no team");
    }
}
