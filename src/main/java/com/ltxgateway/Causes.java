package com.ltxgateway;

import org.jspecify.annotations.Nullable;

/** Walks an exception's causes: frameworks wrap what went wrong (a timeout, a refused address, bad JSON) in layers. */
public final class Causes {

    private Causes() {
    }

    /** The first of {@code failure} and its causes that is a {@code type}, or null. */
    public static <T extends Throwable> @Nullable T find(@Nullable Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
