package com.ltxgateway.dashboard.web;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import com.ltxgateway.net.Urls;

import org.springframework.stereotype.Component;

/** How the pages write times, money, sizes and URLs; templates call it as {@code @dashboardFormat}. */
@Component("dashboardFormat")
public class DashboardFormat {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    /** UTC, as the API writes times: what an admin reads here can be matched with logs and API answers. */
    public String time(Instant instant) {
        return instant == null ? "—" : TIME.format(instant) + " UTC";
    }

    public String usd(BigDecimal amount) {
        return amount == null ? "—" : "$" + amount.setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    /** A difference: +$1.20, −$0.24, $0.00. */
    public String signedUsd(BigDecimal amount) {
        if (amount == null) {
            return "—";
        }
        BigDecimal cents = amount.setScale(2, RoundingMode.HALF_UP);
        return (cents.signum() > 0 ? "+" : cents.signum() < 0 ? "−" : "") + usd(cents.abs());
    }

    /** A URL without its query string and user info, where receivers put their credentials. */
    public String url(String url) {
        return url == null ? "—" : Urls.redacted(url);
    }

    public String bytes(Long size) {
        if (size == null) {
            return "—";
        }
        String[] units = { "B", "KB", "MB", "GB", "TB" };
        double value = size;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? size + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
