package com.ltxgateway.dashboard.web;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.ltxgateway.training.TeamSpend.Line;

/**
 * This month's estimated spend of every team, a bar per day so far on an axis of the whole month, drawn as server-side SVG like the activity
 * chart; the lines it is drawn from (per day and team, estimated and billed) are the numbers shown with it.
 */
record SpendChart(int width, int height, List<Bar> bars, List<Line> lines, BigDecimal estimatedUsd, BigDecimal billedUsd) {

    static final int HEIGHT = 100;
    private static final int SLOT = 18;
    private static final int BAR = 12;
    private static final int LABEL_SPACE = 16;

    /** One day: its label (the day of the month, every fifth shown) and its bar. */
    record Bar(String label, boolean labelled, int x, BigDecimal estimatedUsd, int barHeight) {

        public int y() {
            return HEIGHT - barHeight;
        }

        public int barWidth() {
            return BAR;
        }

        public int labelX() {
            return x + BAR / 2;
        }
    }

    static SpendChart of(LocalDate first, LocalDate last, List<Line> lines) {
        Map<LocalDate, BigDecimal> perDay = new TreeMap<>();
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            perDay.put(day, BigDecimal.ZERO);
        }
        lines.forEach(line -> perDay.merge(line.day(), line.estimatedUsd(), BigDecimal::add));
        BigDecimal max = perDay.values().stream().max(BigDecimal::compareTo).filter(m -> m.signum() > 0).orElse(BigDecimal.ONE);
        List<Bar> bars = new ArrayList<>();
        int i = 0;
        for (Map.Entry<LocalDate, BigDecimal> day : perDay.entrySet()) {
            int dayOfMonth = day.getKey().getDayOfMonth();
            bars.add(new Bar(Integer.toString(dayOfMonth), dayOfMonth == 1 || dayOfMonth % 5 == 0, i++ * SLOT + 3, day.getValue(),
                    scaled(day.getValue(), max)));
        }
        // As wide as the whole month from its first day on, so that the chart keeps its shape as the month fills.
        return new SpendChart(first.lengthOfMonth() * SLOT, HEIGHT + LABEL_SPACE, bars, lines,
                lines.stream().map(Line::estimatedUsd).reduce(BigDecimal.ZERO, BigDecimal::add),
                lines.stream().map(Line::billedUsd).reduce(BigDecimal.ZERO, BigDecimal::add));
    }

    public int axisY() {
        return HEIGHT;
    }

    public int labelY() {
        return HEIGHT + LABEL_SPACE - 3;
    }

    public String viewBox() {
        return "0 0 " + width + " " + height;
    }

    /** An amount that is not zero stays visible as at least a sliver. */
    private static int scaled(BigDecimal value, BigDecimal max) {
        return value.signum() == 0 ? 0 : (int) Math.max(2, Math.round(value.doubleValue() * (HEIGHT - 4) / max.doubleValue()));
    }
}
