package com.ltxgateway.fal;

import java.util.List;

/** One page of a Platform API list; {@code nextCursor} is null on the last page. */
public record FalPage<T>(List<T> items, String nextCursor) {

    public FalPage {
        items = List.copyOf(items);
    }
}
