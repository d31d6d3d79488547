package org.deqbench.nn;

/**
 * How {@link ConvNet#forward} and {@link ConvNet#vjp} compute their convolutions: libnd4j's
 * oneDNN kernels ({@link DirectConvNet}) in channels-first or channels-last activations, or k^d
 * shifted matrix products on padded channels-last buffers ({@link ShiftedGemmConvNet}). Which is
 * fastest depends on the shape and the machine; {@link LayoutChoice} measures it.
 */
enum ConvolutionPath {
    /** oneDNN {@code conv2d}/{@code conv3dnew} and their {@code _bp} ops, channels first. */
    NCHW(ConvNet.Layout.NCHW),
    /** The same kernels, channels last. */
    NHWC(ConvNet.Layout.NHWC),
    /** {@link ShiftedGemmConvNet}: one gemm per kernel tap and product, channels last. */
    GEMM(ConvNet.Layout.NHWC);

    private final ConvNet.Layout layout;

    ConvolutionPath(ConvNet.Layout layout) {
        this.layout = layout;
    }

    /** The activation layout the path computes in. */
    ConvNet.Layout layout() {
        return layout;
    }

    /** The oneDNN path of a layout. */
    static ConvolutionPath of(ConvNet.Layout layout) {
        return layout.channelsLast() ? NHWC : NCHW;
    }

    /** The name reports use: the layout's data format, with "-gemm" for {@link #GEMM}. */
    String label(int spatialDims) {
        String format = layout.dataFormat(spatialDims);
        return this == GEMM ? format + "-gemm" : format;
    }
}
