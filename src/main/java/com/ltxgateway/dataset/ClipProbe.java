package com.ltxgateway.dataset;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

import org.jspecify.annotations.Nullable;
import org.mp4parser.BoxParser;
import org.mp4parser.IsoFile;
import org.mp4parser.ParsableBox;
import org.mp4parser.PropertyBoxParserImpl;
import org.mp4parser.boxes.UserBox;
import org.mp4parser.boxes.iso14496.part12.MediaHeaderBox;
import org.mp4parser.boxes.iso14496.part12.MovieBox;
import org.mp4parser.boxes.iso14496.part12.SampleSizeBox;
import org.mp4parser.boxes.iso14496.part12.TrackBox;
import org.mp4parser.boxes.iso14496.part12.TrackHeaderBox;
import org.mp4parser.tools.IsoTypeReader;

/**
 * Reads a clip's frame count, frame rate and size from its MP4 or QuickTime container (ISO base media file format)
 * with mp4parser's isoparser, in one pass over a stream: the media data is read past, never kept, and no other box may
 * claim more than {@link #MAX_BOX} bytes, so a crafted header cannot make the parser allocate what the heap cannot hold.
 */
final class ClipProbe {

    /** Far above the metadata of an hour of video at 60 frames a second. */
    static final long MAX_BOX = 64L << 20;

    /** What the container says of the clip's video track; {@code frames} is null when the container does not count them. */
    record VideoFacts(@Nullable Integer frames, @Nullable Double frameRate, int width, int height) {
    }

    /** The clip is not a readable MP4/QuickTime container, or has no video track. */
    static final class Unreadable extends Exception {

        Unreadable(String message) {
            super(message);
        }
    }

    private ClipProbe() {
    }

    static VideoFacts probe(InputStream clip) throws Unreadable, IOException {
        MovieBox movie;
        try (IsoFile file = new IsoFile(Channels.newChannel(clip), new BoundedBoxParser())) {
            movie = file.getMovieBox();
        }
        catch (BoxTooLarge e) {
            throw new Unreadable(e.getMessage());
        }
        catch (RuntimeException e) {
            // isoparser reports malformed boxes with unchecked exceptions of every kind.
            throw new Unreadable("the MP4 container could not be read (" + e.getClass().getSimpleName() + ")");
        }
        if (movie == null) {
            throw new Unreadable("no movie box (moov): not an MP4 or QuickTime file, or cut short");
        }
        for (TrackBox track : movie.getBoxes(TrackBox.class)) {
            if (track.getMediaBox() == null || track.getMediaBox().getHandlerBox() == null
                    || !"vide".equals(track.getMediaBox().getHandlerBox().getHandlerType())) {
                continue;
            }
            TrackHeaderBox header = track.getTrackHeaderBox();
            MediaHeaderBox media = track.getMediaBox().getMediaHeaderBox();
            SampleSizeBox sizes = track.getSampleTableBox() == null ? null : track.getSampleTableBox().getSampleSizeBox();
            // A fragmented MP4 keeps its samples in movie fragments: the movie box then counts none.
            Integer frames = sizes == null || sizes.getSampleCount() == 0 ? null : Math.toIntExact(Math.min(sizes.getSampleCount(), Integer.MAX_VALUE));
            Double frameRate = frames == null || media == null || media.getTimescale() == 0 || media.getDuration() <= 0 ? null
                    : Math.round(frames * (double) media.getTimescale() / media.getDuration() * 1000) / 1000.0;
            return new VideoFacts(frames, frameRate, header == null ? 0 : (int) header.getWidth(), header == null ? 0 : (int) header.getHeight());
        }
        throw new Unreadable("no video track");
    }

    private static final class BoxTooLarge extends RuntimeException {

        BoxTooLarge(String type, long size) {
            super("its '" + type + "' box claims " + size + " bytes, more than a clip's metadata can need");
        }
    }

    /**
     * isoparser's property-mapped boxes, with the media data (and free space) read past, and every other box's size
     * checked before the parser allocates it. The header reading follows isoparser's own.
     */
    private static final class BoundedBoxParser extends PropertyBoxParserImpl {

        @Override
        public ParsableBox parseBox(ReadableByteChannel channel, @Nullable String parentType) throws IOException {
            ByteBuffer header = ByteBuffer.allocate(32);
            header.limit(8);
            readFully(channel, header);
            header.rewind();
            long size = IsoTypeReader.readUInt32(header);
            String type = IsoTypeReader.read4cc(header);
            long contentSize;
            if (size == 1) {
                header.limit(16);
                readFully(channel, header);
                header.position(8);
                size = IsoTypeReader.readUInt64(header);
                contentSize = size - 16;
            }
            else if (size == 0) {
                // "to the end of the file": only the media data at the end of a file does that.
                contentSize = Long.MAX_VALUE;
            }
            else if (size < 8) {
                throw new BoxTooLarge(type, size);
            }
            else {
                contentSize = size - 8;
            }
            byte[] userType = null;
            if (UserBox.TYPE.equals(type)) {
                header.limit(header.position() + 16);
                readFully(channel, header);
                userType = new byte[16];
                header.position(header.position() - 16);
                header.get(userType);
                contentSize -= 16;
            }
            boolean skipped = type.equals("mdat") || type.equals("free") || type.equals("skip") || type.equals("wide");
            if (!skipped && contentSize > MAX_BOX) {
                throw new BoxTooLarge(type, size);
            }
            ParsableBox box = skipped ? new SkippedBox(type) : createBox(type, userType, parentType);
            header.rewind();
            box.parse(channel, header, contentSize, this);
            return box;
        }

        private static void readFully(ReadableByteChannel channel, ByteBuffer buffer) throws IOException {
            while (buffer.hasRemaining()) {
                if (channel.read(buffer) < 0) {
                    throw new EOFException();
                }
            }
        }
    }

    /** A box whose content is read and dropped. */
    private static final class SkippedBox implements ParsableBox {

        private final String type;
        private long size;

        SkippedBox(String type) {
            this.type = type;
        }

        @Override
        public String getType() {
            return type;
        }

        @Override
        public long getSize() {
            return size;
        }

        @Override
        public void getBox(WritableByteChannel channel) {
            throw new UnsupportedOperationException("a skipped box is not kept");
        }

        @Override
        public void parse(ReadableByteChannel channel, ByteBuffer header, long contentSize, BoxParser parser) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            long left = contentSize;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                int read = channel.read(buffer);
                if (read < 0) {
                    if (contentSize == Long.MAX_VALUE) {
                        break;
                    }
                    throw new EOFException();
                }
                left -= read;
            }
            size = contentSize == Long.MAX_VALUE ? contentSize - left : contentSize;
        }
    }
}
