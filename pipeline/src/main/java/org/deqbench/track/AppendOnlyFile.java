package org.deqbench.track;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-lines file that is only ever appended to: each call writes whole lines and returns after
 * they are flushed and fsynced, so a record that was logged survives a crash of the process or
 * the node. A crash in the middle of a write can leave a partial last line; reopening terminates
 * it with a newline so the next record starts on a line of its own, and {@link #read} reports such
 * lines instead of failing.
 */
final class AppendOnlyFile implements Closeable {
    private final Path file;
    private final FileChannel channel;

    AppendOnlyFile(Path file) {
        this.file = file;
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            if (endsInPartialLine(file)) {
                write(List.of(""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + file + " for appending", e);
        }
    }

    private static boolean endsInPartialLine(Path file) throws IOException {
        try (SeekableByteChannel in = Files.newByteChannel(file, StandardOpenOption.READ)) {
            long size = in.size();
            if (size == 0) {
                return false;
            }
            ByteBuffer last = ByteBuffer.allocate(1);
            in.position(size - 1);
            in.read(last);
            return last.get(0) != '\n';
        }
    }

    Path file() {
        return file;
    }

    /** Appends the lines (each without its newline) and fsyncs. */
    synchronized void append(List<String> lines) {
        try {
            write(lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file + " (disk full or volume gone?)", e);
        }
    }

    private void write(List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        channel.force(true);
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // every append was already forced to disk
        }
    }

    /** The lines of a file: complete ones, and whether a partial (unterminated) last line was dropped. */
    record Lines(List<String> complete, boolean truncatedTail) {
    }

    static Lines read(Path file) {
        String text;
        try {
            // Decoding replaces a multi-byte character cut by a crash instead of failing.
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Lines(List.of(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (true) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                break;
            }
            lines.add(text.substring(start, nl));
            start = nl + 1;
        }
        return new Lines(lines, start < text.length());
    }
}
