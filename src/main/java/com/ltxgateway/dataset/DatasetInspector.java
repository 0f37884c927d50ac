package com.ltxgateway.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.ltxgateway.LimitedInputStream;
import com.ltxgateway.dataset.DatasetInspection.Clip;
import com.ltxgateway.dataset.DatasetInspection.Problem;

import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.jspecify.annotations.Nullable;

/**
 * Checks a training zip against what fal's interpolation trainer accepts, from the zip's central directory and by
 * streaming the entries it must look into (clips' containers, captions), never unpacking to disk: at least
 * {@value #MIN_CLIPS} clips of the video types, no images, unique base names, each caption paired with a clip and
 * UTF-8; within the limits on entries, uncompressed size and compression ratio that keep a zip bomb out.
 */
final class DatasetInspector {

    static final int MIN_CLIPS = 10;
    static final Set<String> VIDEO_TYPES = Set.of("mp4", "mov", "webm", "mkv", "avi");
    private static final Set<String> PROBED_TYPES = Set.of("mp4", "mov");
    private static final Set<String> IMAGE_TYPES = Set.of("jpg", "jpeg", "png", "webp", "gif", "bmp", "tif", "tiff", "heic", "heif", "avif");
    private static final int CAPTION_SHOWN = 200;
    private static final long MAX_CAPTION = 1 << 20;
    /** Problems reported for one dataset; past it, the count of the rest. */
    private static final int MAX_PROBLEMS = 200;

    /** The archive is not a zip that can be read: no central directory, cut short, not a zip at all. */
    static final class NotAZip extends Exception {

        NotAZip(String message) {
            super(message);
        }
    }

    private final DatasetProperties limits;

    DatasetInspector(DatasetProperties limits) {
        this.limits = limits;
    }

    DatasetInspection inspect(Path zipFile) throws NotAZip {
        try (ZipFile zip = ZipFile.builder().setPath(zipFile).get()) {
            return inspect(zip);
        }
        catch (IOException e) {
            throw new NotAZip(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }

    private DatasetInspection inspect(ZipFile zip) {
        List<ZipArchiveEntry> entries = Collections.list(zip.getEntries());
        Problems problems = new Problems();
        if (entries.size() > limits.maxEntries()) {
            problems.add("", "the zip has " + entries.size() + " entries; at most " + limits.maxEntries() + " are allowed");
            return new DatasetInspection(List.of(), 0, problems.list());
        }
        long declared = entries.stream().mapToLong(entry -> Math.max(entry.getSize(), 0)).sum();
        if (declared > limits.maxUncompressedSize().toBytes()) {
            problems.add("", "the zip's entries add up to " + declared + " bytes uncompressed; at most "
                    + limits.maxUncompressedSize().toBytes() + " are allowed");
            return new DatasetInspection(List.of(), 0, problems.list());
        }

        Map<String, ZipArchiveEntry> clipsByStem = new LinkedHashMap<>();
        Map<String, String> clipByBaseName = new HashMap<>();
        List<ZipArchiveEntry> captions = new ArrayList<>();
        for (ZipArchiveEntry entry : entries) {
            String path = entry.getName();
            if (entry.isDirectory()) {
                continue;
            }
            String fileName = path.substring(path.lastIndexOf('/') + 1);
            String extension = extension(fileName);
            if (path.startsWith("__MACOSX/") || fileName.startsWith("._") || fileName.equals(".DS_Store")) {
                problems.add(path, "macOS metadata, which the trainer would read as data: remove it (zip -d dataset.zip '__MACOSX/*' '*.DS_Store')");
            }
            else if (!readable(zip, entry, problems)) {
                continue;
            }
            else if (VIDEO_TYPES.contains(extension)) {
                String baseName = baseName(fileName);
                String first = clipByBaseName.putIfAbsent(baseName.toLowerCase(Locale.ROOT), path);
                if (first != null) {
                    problems.add(path, "has the same base name as " + first + "; clips' base names must be unique across folders");
                }
                clipsByStem.put(stem(path), entry);
            }
            else if (extension.equals("txt")) {
                captions.add(entry);
            }
            else if (IMAGE_TYPES.contains(extension)) {
                problems.add(path, "an image: an interpolation dataset has video clips only (" + String.join(", ", sorted(VIDEO_TYPES)) + ")");
            }
            else {
                problems.add(path, "neither a video clip (" + String.join(", ", sorted(VIDEO_TYPES)) + ") nor a .txt caption");
            }
        }

        Map<String, String> captionByStem = new HashMap<>();
        for (ZipArchiveEntry caption : captions) {
            String stem = stem(caption.getName());
            if (!clipsByStem.containsKey(stem)) {
                problems.add(caption.getName(), "a caption without a clip of the same name in the same folder");
                continue;
            }
            String text = captionText(zip, caption, problems);
            if (text != null) {
                captionByStem.put(stem, text);
            }
        }

        List<Clip> clips = new ArrayList<>();
        for (var clip : clipsByStem.entrySet()) {
            clips.add(clip(zip, clip.getValue(), captionByStem.get(clip.getKey()), problems));
        }
        if (clips.size() < MIN_CLIPS) {
            problems.add("", "the zip has " + clips.size() + " video clip" + (clips.size() == 1 ? "" : "s") + "; the trainer needs at least " + MIN_CLIPS);
        }
        return new DatasetInspection(clips, captionByStem.size(), problems.list());
    }

    /** Whether the entry's data can be read safely: not encrypted, a supported method, a ratio no zip bomb stays within. */
    private boolean readable(ZipFile zip, ZipArchiveEntry entry, Problems problems) {
        if (entry.getGeneralPurposeBit().usesEncryption()) {
            problems.add(entry.getName(), "encrypted; the trainer cannot read it");
            return false;
        }
        if (!zip.canReadEntryData(entry)) {
            problems.add(entry.getName(), "compressed with a method the trainer may not read (use deflate or store)");
            return false;
        }
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        if (size > 0 && compressed >= 0 && size > Math.max(compressed, 1) * limits.maxCompressionRatio()) {
            problems.add(entry.getName(), "compressed " + (size / Math.max(compressed, 1)) + " to 1, more than " + limits.maxCompressionRatio()
                    + " to 1: refused as a possible zip bomb");
            return false;
        }
        return true;
    }

    private Clip clip(ZipFile zip, ZipArchiveEntry entry, @Nullable String caption, Problems problems) {
        String path = entry.getName();
        if (!PROBED_TYPES.contains(extension(path))) {
            return new Clip(path, null, null, null, null, caption, false);
        }
        try (InputStream in = entryData(zip, entry)) {
            ClipProbe.VideoFacts facts = ClipProbe.probe(in);
            if (facts.frames() == null) {
                return new Clip(path, null, null, facts.width(), facts.height(), caption, false);
            }
            return new Clip(path, facts.frames(), facts.frameRate(), facts.width(), facts.height(), caption, true);
        }
        catch (ClipProbe.Unreadable e) {
            problems.add(path, "not a readable video: " + e.getMessage());
        }
        catch (IOException e) {
            problems.add(path, "could not be read from the zip: " + e.getMessage());
        }
        return new Clip(path, null, null, null, null, caption, false);
    }

    private @Nullable String captionText(ZipFile zip, ZipArchiveEntry entry, Problems problems) {
        if (entry.getSize() > MAX_CAPTION) {
            problems.add(entry.getName(), "a caption of " + entry.getSize() + " bytes; at most " + MAX_CAPTION + " are allowed");
            return null;
        }
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (Reader reader = new InputStreamReader(entryData(zip, entry), decoder)) {
            StringBuilder shown = new StringBuilder();
            char[] buffer = new char[4096];
            int read;
            while ((read = reader.read(buffer)) >= 0) {
                if (shown.length() < CAPTION_SHOWN) {
                    shown.append(buffer, 0, Math.min(read, CAPTION_SHOWN - shown.length()));
                }
            }
            return shown.toString().strip();
        }
        catch (CharacterCodingException e) {
            problems.add(entry.getName(), "not valid UTF-8");
        }
        catch (IOException e) {
            problems.add(entry.getName(), "could not be read from the zip: " + e.getMessage());
        }
        return null;
    }

    /** The entry's bytes, never more than it declares: an entry that holds more is refused, not read on. */
    private static InputStream entryData(ZipFile zip, ZipArchiveEntry entry) throws IOException {
        return new LimitedInputStream(zip.getInputStream(entry), Math.max(entry.getSize(), 0),
                limit -> new IOException("holds more than the " + limit + " bytes it declares"));
    }

    private static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static String baseName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? fileName : fileName.substring(0, dot);
    }

    /** The path without its extension: a clip and its caption share it. */
    private static String stem(String path) {
        int dot = path.lastIndexOf('.');
        return dot <= path.lastIndexOf('/') ? path : path.substring(0, dot);
    }

    private static List<String> sorted(Set<String> types) {
        return types.stream().sorted().map(type -> "." + type).toList();
    }

    private static final class Problems {

        private final List<Problem> list = new ArrayList<>();
        private int left;

        void add(String path, String message) {
            if (list.size() < MAX_PROBLEMS) {
                list.add(new Problem(path, message));
            }
            else {
                left++;
            }
        }

        List<Problem> list() {
            if (left == 0) {
                return List.copyOf(list);
            }
            List<Problem> all = new ArrayList<>(list);
            all.add(new Problem("", left + " more problems not listed"));
            return List.copyOf(all);
        }
    }
}
