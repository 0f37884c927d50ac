package com.ltxgateway.artifact;

/** Nothing is stored under a key that was read. */
public class ArtifactMissing extends RuntimeException {

    public ArtifactMissing(ArtifactKey key) {
        super("no artifact is stored under " + key);
    }
}
