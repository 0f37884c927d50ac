package com.ltxgateway;

import java.math.BigDecimal;

/** USD amounts as the API writes them. */
public final class Amounts {

    private Amounts() {
    }

    /** 2.4 rather than 2.400000000, 0 rather than 0E-9, and 10 rather than 1E+1. */
    public static BigDecimal plain(BigDecimal amount) {
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }
}
