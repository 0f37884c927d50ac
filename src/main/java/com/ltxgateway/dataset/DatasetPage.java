package com.ltxgateway.dataset;

import java.util.List;

import org.jspecify.annotations.Nullable;

/** @param nextCursor pass it as {@code cursor} for the next page; null on the last */
public record DatasetPage(List<DatasetView> data, @Nullable String nextCursor) {
}
