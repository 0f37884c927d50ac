package com.ltxgateway.net;

import java.net.URI;
import java.net.URISyntaxException;

/** URLs as they may be shown: receivers put credentials in the query string and the user info. */
public final class Urls {

    private Urls() {
    }

    /** Scheme, host, port and path only; a URL that does not parse is cut at its query. */
    public static String redacted(String url) {
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null) {
                return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                        + (uri.getRawPath() == null ? "" : uri.getRawPath());
            }
        }
        catch (URISyntaxException e) {
            // still shown: where it went, cut by hand below
        }
        int cut = url.indexOf('?');
        return cut < 0 ? url : url.substring(0, cut);
    }
}
