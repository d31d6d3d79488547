package org.deqbench.plan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/**
 * The shape (and, for arrays, dtype) of a file a stage wrote itself, for its manifest entry, read
 * from the file's header without loading it:
 * <ul>
 *   <li>{@code .npy}: the header's {@code shape} and {@code descr} (NumPy format 1.0–3.0: magic
 *       {@code \x93NUMPY}, two version bytes, a 2- or 4-byte little-endian header length, then a
 *       Python dict literal);</li>
 *   <li>{@code .png}: {@code [height, width, channels]};</li>
 *   <li>{@code .csv}: {@code [data rows, columns]} (header line excluded; fields hold no line
 *       breaks in the pipeline's CSV files);</li>
 *   <li>anything else (JSON, HTML, SameDiff models): no shape, it is not an array.</li>
 * </ul>
 *
 * @param shape the shape, or null when the file is not an array or table
 * @param dtype the array dtype ({@code float32}, …) for {@code .npy}, else null
 */
public record FileShape(List<Long> shape, String dtype) {
    private static final Pattern NPY_SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");
    private static final Pattern NPY_DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");

    /** What {@code file} holds, or {@code (null, null)} when it is neither array, image nor table. */
    public static FileShape of(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".npy")) {
            return npy(file);
        }
        if (name.endsWith(".png")) {
            return png(file);
        }
        if (name.endsWith(".csv")) {
            return csv(file);
        }
        return new FileShape(null, null);
    }

    static FileShape npy(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] magic = in.readNBytes(8);
            if (magic.length < 8 || (magic[0] & 0xff) != 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) {
                throw new IOException(file + " is not a .npy file (no \\x93NUMPY magic)");
            }
            int major = magic[6];
            byte[] len = in.readNBytes(major == 1 ? 2 : 4);
            long headerLength = 0;
            for (int i = len.length - 1; i >= 0; i--) {
                headerLength = (headerLength << 8) | (len[i] & 0xff);
            }
            String header = new String(in.readNBytes((int) headerLength),
                    major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
            Matcher shape = NPY_SHAPE.matcher(header);
            if (!shape.find()) {
                throw new IOException(file + ": .npy header has no 'shape': " + header.strip());
            }
            List<Long> dims = new ArrayList<>();
            for (String d : shape.group(1).split(",")) {
                if (!d.isBlank()) {
                    dims.add(Long.parseLong(d.strip()));
                }
            }
            Matcher descr = NPY_DESCR.matcher(header);
            return new FileShape(List.copyOf(dims), descr.find() ? dtype(descr.group(1)) : null);
        }
    }

    /** NumPy's type string ({@code <f4}) as the manifest's dtype name ({@code float32}). */
    static String dtype(String descr) {
        String kind = descr.replaceAll("^[<>|=]", "");
        if (kind.length() < 2) {
            return descr;
        }
        int bytes = Integer.parseInt(kind.substring(1));
        return switch (kind.charAt(0)) {
            case 'f' -> "float" + 8 * bytes;
            case 'i' -> "int" + 8 * bytes;
            case 'u' -> "uint" + 8 * bytes;
            case 'b' -> "bool";
            case 'c' -> "complex" + 8 * bytes;
            default -> descr;
        };
    }

    private static FileShape png(Path file) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IOException(file + " is not a readable PNG image");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in);
                int bands = reader.getRawImageType(0).getNumBands();
                return new FileShape(List.of((long) reader.getHeight(0), (long) reader.getWidth(0), (long) bands), null);
            } finally {
                reader.dispose();
            }
        }
    }

    private static FileShape csv(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String header = r.readLine();
            if (header == null) {
                return new FileShape(List.of(0L, 0L), null);
            }
            long columns = header.split(",", -1).length;
            long rows = r.lines().filter(l -> !l.isEmpty()).count();
            return new FileShape(List.of(rows, columns), null);
        }
    }
}
