package com.ltxgateway.dashboard;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import org.springframework.stereotype.Component;

/** How the pages write times, money and sizes; templates call it as {@code @dashboardFormat}. */
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
