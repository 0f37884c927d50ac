package com.ltxgateway.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Zips for dataset tests, built from the clips in {@code src/test/resources/clips} (made with ffmpeg, see the README
 * there): real H.264 MP4 and QuickTime files of a few KB and a VP9 WebM.
 */
public final class TestZips {

    /** 49 frames at 24 fps, 64x36, H.264 in MP4 with its movie box after the media data (ffmpeg's default). */
    public static final String MP4_49_FRAMES = "clip-49f-24fps-64x36.mp4";
    /** 17 frames at 24 fps, 64x36, H.264 in QuickTime with its movie box first. */
    public static final String MOV_17_FRAMES = "clip-17f-24fps-64x36.mov";
    /** 25 frames of VP9 in WebM: a container the inspection lists without counting frames. */
    public static final String WEBM = "clip-25f-24fps-64x36.webm";

    private final Map<String, byte[]> entries = new LinkedHashMap<>();
    private boolean stored;

    public static TestZips zip() {
        return new TestZips();
    }

    /** {@code count} copies of a clip, named {@code clip-00.mp4}, {@code clip-01.mp4}, ... (the fixture's extension). */
    public TestZips clips(int count, String fixture) {
        for (int i = 0; i < count; i++) {
            clip(String.format("clip-%02d", i) + fixture.substring(fixture.lastIndexOf('.')), fixture);
        }
        return this;
    }

    public TestZips clip(String path, String fixture) {
        return entry(path, clipBytes(fixture));
    }

    public TestZips entry(String path, byte[] bytes) {
        entries.put(path, bytes);
        return this;
    }

    public TestZips text(String path, String text) {
        return entry(path, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Entries stored, not deflated, as video zips often are. */
    public TestZips stored() {
        this.stored = true;
        return this;
    }

    public byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (var entry : entries.entrySet()) {
                ZipEntry zipEntry = new ZipEntry(entry.getKey());
                if (stored) {
                    zipEntry.setMethod(ZipEntry.STORED);
                    zipEntry.setSize(entry.getValue().length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(entry.getValue());
                    zipEntry.setCrc(crc.getValue());
                }
                zip.putNextEntry(zipEntry);
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static byte[] clipBytes(String fixture) {
        try (InputStream in = TestZips.class.getResourceAsStream("/clips/" + fixture)) {
            if (in == null) {
                throw new IllegalArgumentException("no clip fixture " + fixture);
            }
            return in.readAllBytes();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
