package com.ltxgateway.budget;

import com.ltxgateway.ApiProblem;

public class BudgetNotFound extends ApiProblem.NotFound {

    BudgetNotFound(String slug) {
        super("Team '" + slug + "' has no budget");
    }
}
