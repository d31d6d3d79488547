package org.deqbench.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class FileShapeTest {
    @TempDir
    Path tmp;

    @Test
    void npyShapeAndDtypeComeFromTheHeaderNd4jWrites() throws Exception {
        Path f = tmp.resolve("w.npy");
        Nd4j.writeAsNumpy(Nd4j.zeros(DataType.FLOAT, 3, 2, 5, 7), f.toFile());
        assertEquals(new FileShape(List.of(3L, 2L, 5L, 7L), "float32"), FileShape.of(f));
        Path d = tmp.resolve("v.npy");
        Nd4j.writeAsNumpy(Nd4j.zeros(DataType.DOUBLE, 4), d.toFile());
        assertEquals(new FileShape(List.of(4L), "float64"), FileShape.of(d));
    }

    @Test
    void pngIsHeightWidthChannelsAndCsvIsRowsColumns() throws Exception {
        Path png = tmp.resolve("f.png");
        ImageIO.write(new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB), "png", png.toFile());
        assertEquals(List.of(30L, 40L, 3L), FileShape.of(png).shape());
        Path csv = tmp.resolve("t.csv");
        Files.writeString(csv, "a,b,c\n1,2,3\n4,5,6\n");
        assertEquals(List.of(2L, 3L), FileShape.of(csv).shape());
        Path json = tmp.resolve("x.json");
        Files.writeString(json, "{}");
        assertNull(FileShape.of(json).shape(), "JSON is not an array");
    }
}
