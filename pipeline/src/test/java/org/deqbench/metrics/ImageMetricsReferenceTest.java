package org.deqbench.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * PSNR, SSIM and NMSE against values computed independently with scikit-image and numpy by
 * {@code make_reference.py} (same folder as the JSON resource) on real, complex and time-series
 * images of odd sizes.
 *
 * <p>Tolerances: PSNR and NMSE to 1e-6 relative and SSIM to 1e-5 absolute. Both sides compute in
 * double precision from the same inputs and differ only in summation order (scipy's running-sum
 * uniform filter versus direct window sums here), which costs ~1e-13; the tolerances leave room for
 * that and still catch a change of convention: a 5×5 window moves SSIM by 0.02–0.12, K2 = 0.031
 * instead of 0.03 by up to 1.3e-4, the population instead of the sample covariance by up to 4e-5
 * (the noisy, biased 24×20 case); magnitude and data-range conventions change PSNR by far more.
 */
class ImageMetricsReferenceTest {
    private static final double REL = 1e-6;
    private static final double SSIM_ABS = 1e-5;

    record Case(String name, long[] shape, double[] target, double[] recon, double dataRange,
                double psnr, double ssim, double nmse) {
    }

    static List<Case> cases() throws IOException {
        try (InputStream in = ImageMetricsReferenceTest.class.getResourceAsStream("reference_images.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Case> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                long[] shape = new long[c.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = c.get("shape").get(i).asLong();
                }
                out.add(new Case(c.get("name").asText(), shape, doubles(c.get("target")), doubles(c.get("recon")),
                        c.get("data_range").asDouble(), c.get("psnr").asDouble(), c.get("ssim").asDouble(),
                        c.get("nmse").asDouble()));
            }
            return out;
        }
    }

    private static double[] doubles(JsonNode a) {
        double[] d = new double[a.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = a.get(i).asDouble();
        }
        return d;
    }

    @Test
    void psnrSsimNmseMatchScikitImageReferenceValues() throws IOException {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 5, "reference file holds the real, complex and time-series cases");
        for (Case c : cases) {
            MagnitudeImage t = MagnitudeImage.of(c.target(), c.shape());
            MagnitudeImage r = MagnitudeImage.of(c.recon(), c.shape());
            assertEquals(c.dataRange(), t.max(), 1e-12 * c.dataRange(), c.name() + " data range");
            ImageScores s = ImageScores.of(t, r);
            assertEquals(c.psnr(), s.psnr(), REL * Math.abs(c.psnr()), c.name() + " PSNR");
            assertEquals(c.nmse(), s.nmse(), REL * Math.abs(c.nmse()), c.name() + " NMSE");
            assertEquals(c.ssim(), s.ssim(), SSIM_ABS, c.name() + " SSIM");
            assertEquals(c.psnr(), Psnr.of(t, r), REL * Math.abs(c.psnr()), c.name() + " Psnr.of");
            assertEquals(c.ssim(), Ssim.of(t, r), SSIM_ABS, c.name() + " Ssim.of");
            assertEquals(c.nmse(), Nmse.of(t, r), REL * Math.abs(c.nmse()), c.name() + " Nmse.of");
        }
    }

    @Test
    void ndArrayImagesAndBatchesGiveTheReferenceValues() throws IOException {
        for (Case c : cases()) {
            INDArray t = Nd4j.create(c.target(), c.shape(), 'c');
            INDArray r = Nd4j.create(c.recon(), c.shape(), 'c');
            ImageScores s = ImageScores.of(t, r);
            assertEquals(c.psnr(), s.psnr(), REL * Math.abs(c.psnr()), c.name());
            assertEquals(c.ssim(), s.ssim(), SSIM_ABS, c.name());
            // A batch of two: the image itself and a copy with the reconstruction swapped in as the
            // target, read through views of the batch (non-zero offsets).
            long[] batchShape = new long[c.shape().length + 1];
            batchShape[0] = 2;
            System.arraycopy(c.shape(), 0, batchShape, 1, c.shape().length);
            INDArray targets = Nd4j.concat(0, t.reshape(prepend(c.shape())), r.reshape(prepend(c.shape())));
            INDArray recons = Nd4j.concat(0, r.reshape(prepend(c.shape())), t.reshape(prepend(c.shape())));
            List<ImageScores> batch = ImageScores.perImage(targets, recons);
            assertEquals(2, batch.size());
            assertEquals(s.psnr(), batch.get(0).psnr(), 1e-12 * Math.abs(s.psnr()), c.name() + " batch[0]");
            assertEquals(s.ssim(), batch.get(0).ssim(), 1e-12, c.name() + " batch[0]");
            assertEquals(ImageScores.of(r, t).nmse(), batch.get(1).nmse(), 1e-12, c.name() + " batch[1]");
        }
    }

    private static long[] prepend(long[] shape) {
        long[] s = new long[shape.length + 1];
        s[0] = 1;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    @Test
    void float32ImagesAgreeWithDoubleToSinglePrecision() throws IOException {
        // Reconstructions are stored as float32: the metric must not depend on the array's dtype
        // beyond float32 rounding (relative ~1e-7 per value, so PSNR moves by ~1e-5 dB at most).
        Case c = cases().get(2);
        INDArray t = Nd4j.create(c.target(), c.shape(), 'c').castTo(DataType.FLOAT);
        INDArray r = Nd4j.create(c.recon(), c.shape(), 'c').castTo(DataType.FLOAT);
        assertEquals(c.psnr(), Psnr.of(t, r), 1e-4);
        assertEquals(c.ssim(), Ssim.of(t, r), 1e-5);
    }

    @Test
    void identicalImagesScorePerfectly() throws IOException {
        Case c = cases().get(3);
        MagnitudeImage t = MagnitudeImage.of(c.target(), c.shape());
        ImageScores s = ImageScores.of(t, t);
        assertEquals(Double.POSITIVE_INFINITY, s.psnr());
        assertEquals(0.0, s.nmse());
        assertEquals(1.0, s.ssim(), 1e-12);
    }

    @Test
    void complexImagesAreComparedByMagnitudeOnly() {
        // A global phase rotation leaves every magnitude, hence every score, unchanged up to the
        // rounding of cos/sin (~1e-16 relative, i.e. PSNR above 250 dB).
        int h = 9;
        int w = 8;
        double[] a = new double[2 * h * w];
        double[] b = new double[2 * h * w];
        for (int i = 0; i < h * w; i++) {
            double mag = 1 + Math.sin(0.37 * i);
            double ph = 0.11 * i;
            a[i] = mag * Math.cos(ph);
            a[h * w + i] = mag * Math.sin(ph);
            b[i] = mag * Math.cos(ph + 1.3);
            b[h * w + i] = mag * Math.sin(ph + 1.3);
        }
        ImageScores s = ImageScores.of(MagnitudeImage.of(a, 2, h, w), MagnitudeImage.of(b, 2, h, w));
        assertTrue(s.psnr() > 250, "PSNR " + s.psnr());
        assertEquals(0.0, s.nmse(), 1e-25);
        assertEquals(1.0, s.ssim(), 1e-12);
    }

    @Test
    void badShapesAreRejectedWithTheShapeInTheMessage() {
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> MagnitudeImage.of(new double[3 * 8 * 8], 3, 8, 8));
        assertTrue(channels.getMessage().contains("[3, 8, 8]"), channels.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> Ssim.of(MagnitudeImage.of(ones(6 * 9), 1, 6, 9), MagnitudeImage.of(ones(6 * 9), 1, 6, 9)));
        assertTrue(small.getMessage().contains("6×9"), small.getMessage());
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> Psnr.of(MagnitudeImage.of(ones(64), 1, 8, 8), MagnitudeImage.of(ones(72), 1, 8, 9)));
        assertTrue(mismatch.getMessage().contains("W=9"), mismatch.getMessage());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Psnr.of(MagnitudeImage.of(new double[64], 1, 8, 8), MagnitudeImage.of(ones(64), 1, 8, 8)));
        assertFalse(zero.getMessage().isBlank());
    }

    private static double[] ones(int n) {
        double[] d = new double[n];
        java.util.Arrays.fill(d, 1.0);
        return d;
    }
}
