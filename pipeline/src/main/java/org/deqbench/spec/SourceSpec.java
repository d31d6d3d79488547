package org.deqbench.spec;

/**
 * Where ground-truth images come from.
 *
 * @param type    {@code phantom}, {@code images} (a folder of PNG/TIFF) or {@code hdf5}
 * @param phantom for {@code phantom}: {@code ellipses}, {@code shepp-logan} or {@code anatomy}
 * @param path    for {@code images} and {@code hdf5}: a folder or file, relative to the spec file
 * @param layout  for {@code hdf5}: {@code fastmri} or {@code modl}
 */
public record SourceSpec(String type, String phantom, String path, String layout) {
    public static final SourceSpec DEFAULT = new SourceSpec(null, null, null, null);

    public SourceSpec {
        type = type == null ? "phantom" : type;
        if (type.equals("phantom") && phantom == null) {
            phantom = "ellipses";
        }
        if (type.equals("hdf5") && layout == null) {
            layout = "fastmri";
        }
    }
}
