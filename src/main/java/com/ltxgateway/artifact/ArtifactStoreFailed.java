package com.ltxgateway.artifact;

/** The store could not be written or read (a full disk, S3 unreachable or refusing); worth trying again later. */
public class ArtifactStoreFailed extends RuntimeException {

    public ArtifactStoreFailed(String message, Throwable cause) {
        super(message, cause);
    }
}
