package com.ltxgateway;

import java.io.IOException;
import java.net.InetAddress;
import java.util.UUID;

/** Names this instance as the owner of the claims it takes. */
public final class Instances {

    private Instances() {
    }

    /**
     * The host name (a pod's name in Kubernetes) and a random suffix, so a restarted process is told from its
     * predecessor whose claims may still be in the database.
     */
    public static String owner() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        }
        catch (IOException e) {
            host = "gateway";
        }
        return host + "/" + UUID.randomUUID().toString().substring(0, 8);
    }
}
