package com.ltxgateway.dataset;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import com.ltxgateway.dataset.DatasetInspection.Clip;
import com.ltxgateway.dataset.DatasetInspection.Problem;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import static com.ltxgateway.dataset.TestZips.MOV_17_FRAMES;
import static com.ltxgateway.dataset.TestZips.MP4_49_FRAMES;
import static com.ltxgateway.dataset.TestZips.WEBM;
import static com.ltxgateway.dataset.TestZips.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The inspection of training zips built from real clips, on the temp files an upload leaves it. */
class DatasetInspectorTests {

    private static final DatasetProperties DEFAULTS = limits(10_000, DataSize.ofGigabytes(20));

    @TempDir
    Path dir;

    @Test
    void aDatasetOfClipsWithCaptionsIsReadyWithEachClipsFramesRateAndSize() throws Exception {
        DatasetInspection inspection = inspect(zip().clips(10, MP4_49_FRAMES)
                .text("clip-00.txt", "a cat jumps onto the table")
                .text("clip-01.txt", "  a dog runs  \n")
                .clip("more/short.mov", MOV_17_FRAMES)
                .clip("more/other.webm", WEBM));

        assertThat(inspection.status()).isEqualTo("ready");
        assertThat(inspection.problems()).isEmpty();
        assertThat(inspection.clips()).hasSize(12);
        assertThat(inspection.clips().getFirst()).isEqualTo(new Clip("clip-00.mp4", 49, 24.0, 64, 36, "a cat jumps onto the table", true));
        assertThat(inspection.clips().get(1).caption()).isEqualTo("a dog runs");
        assertThat(inspection.clips().get(2).caption()).isNull();
        assertThat(inspection.clips().get(10)).isEqualTo(new Clip("more/short.mov", 17, 24.0, 64, 36, null, true));
        assertThat(inspection.clips().get(11)).isEqualTo(new Clip("more/other.webm", null, null, null, null, null, false));
        assertThat(inspection.captions()).isEqualTo(2);
        assertThat(inspection.shortestClipFrames()).isEqualTo(17);
    }

    @Test
    void storedEntriesAreReadAsWellAsDeflatedOnes() throws Exception {
        DatasetInspection inspection = inspect(zip().clips(10, MP4_49_FRAMES).stored());

        assertThat(inspection.status()).isEqualTo("ready");
        assertThat(inspection.clips()).allSatisfy(clip -> assertThat(clip.frames()).isEqualTo(49));
    }

    @Test
    void namesEveryProblemWithItsPath() throws Exception {
        DatasetInspection inspection = inspect(zip().clips(8, MP4_49_FRAMES)
                .clip("other/clip-03.mp4", MP4_49_FRAMES)
                .entry("frames/first.png", new byte[] { (byte) 0x89, 'P', 'N', 'G' })
                .text("notes.md", "# notes")
                .text("orphan.txt", "a caption without its clip")
                .entry("clip-04.txt", new byte[] { 'a', (byte) 0xC3, (byte) 0x28 })
                .entry("__MACOSX/._clip-00.mp4", new byte[] { 0, 5, 22, 7 }));

        assertThat(inspection.status()).isEqualTo("invalid");
        assertThat(inspection.problems()).extracting(Problem::path).containsExactlyInAnyOrder(
                "other/clip-03.mp4", "frames/first.png", "notes.md", "orphan.txt", "clip-04.txt", "__MACOSX/._clip-00.mp4", "");
        assertThat(message(inspection, "other/clip-03.mp4")).contains("same base name as clip-03.mp4");
        assertThat(message(inspection, "frames/first.png")).startsWith("an image");
        assertThat(message(inspection, "notes.md")).startsWith("neither a video clip");
        assertThat(message(inspection, "orphan.txt")).startsWith("a caption without a clip");
        assertThat(message(inspection, "clip-04.txt")).isEqualTo("not valid UTF-8");
        assertThat(message(inspection, "__MACOSX/._clip-00.mp4")).startsWith("macOS metadata");
        assertThat(message(inspection, "")).isEqualTo("the zip has 9 video clips; the trainer needs at least 10");
    }

    @Test
    void anEmptyZipHasNoClips() throws Exception {
        DatasetInspection inspection = inspect(zip());

        assertThat(inspection.problems()).containsExactly(new Problem("", "the zip has 0 video clips; the trainer needs at least 10"));
    }

    @Test
    void aClipCutShortOrNotAVideoIsNamed() throws Exception {
        byte[] clip = TestZips.clipBytes(MP4_49_FRAMES);
        DatasetInspection inspection = inspect(zip().clips(10, MP4_49_FRAMES)
                .entry("cut.mp4", Arrays.copyOf(clip, clip.length / 2))
                .entry("text.mov", "not a movie at all".getBytes()));

        assertThat(message(inspection, "cut.mp4")).startsWith("not a readable video");
        assertThat(message(inspection, "text.mov")).startsWith("not a readable video");
    }

    @Test
    void aBoxClaimingMoreThanAClipsMetadataNeedsIsRefusedBeforeAnythingIsAllocated() throws Exception {
        ByteBuffer crafted = ByteBuffer.allocate(16).putInt(0x7FFF_FFF0).put("moov".getBytes()).putLong(0);
        DatasetInspection inspection = inspect(zip().clips(10, MP4_49_FRAMES).entry("crafted.mp4", crafted.array()));

        assertThat(message(inspection, "crafted.mp4")).isEqualTo("not a readable video: its 'moov' box claims 2147483632 bytes,"
                + " more than a clip's metadata can need");
    }

    @Test
    void anEntryThatCompressesLikeAZipBombIsRefusedWithoutBeingRead() throws Exception {
        DatasetInspection inspection = inspect(zip().clips(10, MP4_49_FRAMES).entry("bomb.txt", new byte[4 << 20]));

        assertThat(message(inspection, "bomb.txt")).contains("to 1, more than 100 to 1: refused as a possible zip bomb");
    }

    @Test
    void tooManyEntriesOrTooManyUncompressedBytesAreRefusedFromTheCentralDirectory() throws Exception {
        var few = limits(5, DataSize.ofGigabytes(20));
        assertThat(new DatasetInspector(few).inspect(write(zip().clips(10, MP4_49_FRAMES).bytes())).problems())
                .containsExactly(new Problem("", "the zip has 10 entries; at most 5 are allowed"));

        var small = limits(10_000, DataSize.ofKilobytes(10));
        assertThat(new DatasetInspector(small).inspect(write(zip().clips(10, MP4_49_FRAMES).bytes())).problems())
                .singleElement().satisfies(problem -> assertThat(problem.message()).contains("at most 10240 are allowed"));
    }

    @Test
    void aFileThatIsNotAZipOrIsCutShortCannotBeInspected() throws Exception {
        byte[] whole = zip().clips(10, MP4_49_FRAMES).bytes();

        assertThatThrownBy(() -> new DatasetInspector(DEFAULTS).inspect(write("a plain text file".getBytes())))
                .isInstanceOf(DatasetInspector.NotAZip.class);
        assertThatThrownBy(() -> new DatasetInspector(DEFAULTS).inspect(write(Arrays.copyOf(whole, whole.length - 30))))
                .isInstanceOf(DatasetInspector.NotAZip.class);
    }

    /** The defaults, but for the limits on entries and uncompressed size. */
    private static DatasetProperties limits(int maxEntries, DataSize maxUncompressedSize) {
        return new DatasetProperties(DataSize.ofGigabytes(2), maxEntries, maxUncompressedSize, 100, 2, Duration.ofSeconds(30),
                Duration.ofDays(1), Duration.ofMinutes(5));
    }

    private DatasetInspection inspect(TestZips zip) throws Exception {
        return new DatasetInspector(DEFAULTS).inspect(write(zip.bytes()));
    }

    private Path write(byte[] bytes) throws Exception {
        return Files.write(Files.createTempFile(dir, "dataset", ".zip"), bytes);
    }

    private static String message(DatasetInspection inspection, String path) {
        return inspection.problems().stream().filter(problem -> problem.path().equals(path)).map(Problem::message).findFirst()
                .orElseThrow(() -> new AssertionError("no problem with " + path + " in " + inspection.problems()));
    }
}
