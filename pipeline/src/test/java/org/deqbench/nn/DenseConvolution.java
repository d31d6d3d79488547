package org.deqbench.nn;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.SingularValueDecomposition;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A convolution layer on a tiny image as an explicit matrix, for exact operator norms by SVD. */
final class DenseConvolution {
    private DenseConvolution() {
    }

    /** Columns are the (double precision) images of the unit vectors (2D or 3D convolutions). */
    static double[][] matrix(ConvolutionOperator op) {
        ConvolutionOperator d = new ConvolutionOperator(op.weight().castTo(DataType.DOUBLE), op.spatialShape());
        long[] domain = d.domainShape();
        int pixels = 1;
        for (long size : op.spatialShape()) {
            pixels *= (int) size;
        }
        int n = d.channelsIn() * pixels;
        int m = d.channelsOut() * pixels;
        domain[0] = n;
        // All unit vectors as one batch: example j is e_j, so row j of the result is column j.
        INDArray units = Nd4j.eye(n).castTo(DataType.DOUBLE).reshape(domain);
        double[][] columns = d.apply(units).reshape(n, m).toDoubleMatrix();
        double[][] dense = new double[m][n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < m; i++) {
                dense[i][j] = columns[j][i];
            }
        }
        return dense;
    }

    /** ‖op‖₂ = the largest singular value of its matrix (Commons Math SVD). */
    static double norm(ConvolutionOperator op) {
        return new SingularValueDecomposition(new Array2DRowRealMatrix(matrix(op))).getSingularValues()[0];
    }
}
