package com.ltxgateway.net;

/** A host resolved to an address that {@link OutboundUrlPolicy} does not let the gateway connect to. */
public class OutboundAddressRefused extends RuntimeException {

    public OutboundAddressRefused(String reason) {
        super(reason);
    }
}
