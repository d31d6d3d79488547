package org.deqbench.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Where ground-truth images come from.
 *
 * @param type    {@code phantom}, {@code images} (a folder of PNG/TIFF/JPEG) or {@code hdf5}
 * @param phantom for {@code phantom}: {@code ellipses}, {@code shepp-logan} or {@code anatomy}
 * @param path    for {@code images} and {@code hdf5}: a folder or file, relative to the spec file
 * @param layout  for {@code hdf5}: {@code fastmri} or {@code modl}
 * @param order   for {@code images}: {@code name} (file-name order, train first; the default) or
 *                {@code shuffle} (a shuffle seeded by the experiment seed, then train first). Absent
 *                unless given, so the plan hashes of specs written before it stay what they were.
 */
public record SourceSpec(String type, String phantom, String path, String layout,
                         @JsonInclude(JsonInclude.Include.NON_NULL) String order) {
    public static final SourceSpec DEFAULT = new SourceSpec(null, null, null, null, null);
    /** The values of {@code order}. */
    public static final List<String> ORDERS = List.of("name", "shuffle");

    public SourceSpec {
        type = type == null ? "phantom" : type;
        if (type.equals("phantom") && phantom == null) {
            phantom = "ellipses";
        }
        if (type.equals("hdf5") && layout == null) {
            layout = "fastmri";
        }
    }

    /** Whether an image folder is read in a seeded random order. */
    public boolean shuffled() {
        return "shuffle".equals(order);
    }
}
