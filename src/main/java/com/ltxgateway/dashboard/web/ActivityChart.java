package com.ltxgateway.dashboard.web;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

import com.ltxgateway.training.TrainingStatistics.Bucket;

/**
 * A bar chart of submissions and failures drawn as server-side SVG: no chart script, nothing for the
 * Content-Security-Policy to allow, and the same numbers in a table for screen readers.
 */
record ActivityChart(int width, int height, List<Bar> bars, long max, long submitted, long failed) {

    static final int HEIGHT = 120;
    private static final int SLOT = 24;
    private static final int BAR = 9;
    private static final int LABEL_SPACE = 18;

    /** One period: its label, and the geometry of its two bars (submitted, failed) in SVG units. */
    record Bar(String label, boolean labelled, int x, long submitted, int submittedHeight, long failed, int failedHeight) {

        public int labelX() {
            return x + BAR;
        }

        public int submittedY() {
            return HEIGHT - submittedHeight;
        }

        public int failedX() {
            return x + BAR;
        }

        public int failedY() {
            return HEIGHT - failedHeight;
        }

        public int barWidth() {
            return BAR;
        }
    }

    /** {@code labelEvery}: how many periods apart the axis labels are, so they do not overlap. */
    static ActivityChart of(List<Bucket> buckets, String labelPattern, int labelEvery) {
        DateTimeFormatter label = DateTimeFormatter.ofPattern(labelPattern).withZone(ZoneOffset.UTC);
        long max = Math.max(1, buckets.stream().mapToLong(b -> Math.max(b.submitted(), b.failed())).max().orElse(0));
        List<Bar> bars = new ArrayList<>();
        for (int i = 0; i < buckets.size(); i++) {
            Bucket bucket = buckets.get(i);
            bars.add(new Bar(label.format(bucket.start()), i % labelEvery == 0, i * SLOT + 3, bucket.submitted(),
                    scaled(bucket.submitted(), max), bucket.failed(), scaled(bucket.failed(), max)));
        }
        return new ActivityChart(buckets.size() * SLOT, HEIGHT + LABEL_SPACE, bars, max,
                buckets.stream().mapToLong(Bucket::submitted).sum(), buckets.stream().mapToLong(Bucket::failed).sum());
    }

    public int axisY() {
        return HEIGHT;
    }

    public int labelY() {
        return HEIGHT + LABEL_SPACE - 4;
    }

    public String viewBox() {
        return "0 0 " + width + " " + height;
    }

    /** A count that is not zero stays visible as at least a sliver. */
    private static int scaled(long value, long max) {
        return value == 0 ? 0 : (int) Math.max(2, Math.round((double) value * (HEIGHT - 4) / max));
    }
}
