package org.deqbench.store;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The files of a completed node (a simulate or train node's folder), read by a downstream step.
 * Every method throws {@link NodeFileException} naming the file when it is missing or corrupt.
 */
public interface NodeFiles {
    /** The node's folder. */
    Path dir();

    /** The files its manifest lists with a shape, in the order they were written. */
    List<ArrayFile> shapedFiles();

    /** A {@code .npy} array. */
    INDArray array(String file);

    /** A JSON file as a tree. */
    JsonNode json(String file);

    /** A JSON file read into {@code type}. */
    <T> T json(String file, Class<T> type);

    /** The path of a file that must exist. */
    Path existing(String file);
}
