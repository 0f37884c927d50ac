package com.ltxgateway.artifact;

import com.ltxgateway.ApiProblem;

/** The training has no such output file, or the gateway holds no copy of it (yet, or ever: it was lost). */
public class OutputFileNotStored extends ApiProblem.NotFound {

    public OutputFileNotStored(String trainingId, String name) {
        super("Training '" + trainingId + "' has no stored output file '" + name + "'; its output's url says where the file is");
    }
}
