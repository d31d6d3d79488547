package org.deqbench.report;

/**
 * Maps a value in [0, 1] to an RGB colour by linear interpolation between anchor colours.
 * {@link #GRAY} shows magnitude images; {@link #ERROR} shows error maps: a black → purple → orange
 * → pale-yellow ramp whose lightness increases monotonically (anchors after the "inferno" map of
 * Smith and van der Walt), so larger errors always look brighter, also in grey-scale print.
 */
public enum Colormap {
    GRAY(new int[][] {{0, 0, 0}, {255, 255, 255}}),
    ERROR(new int[][] {
            {0, 0, 4}, {22, 11, 57}, {66, 10, 104}, {106, 23, 110}, {147, 38, 103}, {188, 55, 84},
            {221, 81, 58}, {243, 120, 25}, {252, 165, 10}, {246, 215, 70}, {252, 255, 164}});

    private final int[][] anchors;

    Colormap(int[][] anchors) {
        this.anchors = anchors;
    }

    /** Packed 0xRRGGBB colour of {@code t}, clamped to [0, 1]; NaN maps to 0. */
    public int rgb(double t) {
        double u = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        double pos = u * (anchors.length - 1);
        int i = Math.min((int) pos, anchors.length - 2);
        double f = pos - i;
        int r = (int) Math.round(anchors[i][0] + f * (anchors[i + 1][0] - anchors[i][0]));
        int g = (int) Math.round(anchors[i][1] + f * (anchors[i + 1][1] - anchors[i][1]));
        int b = (int) Math.round(anchors[i][2] + f * (anchors[i + 1][2] - anchors[i][2]));
        return (r << 16) | (g << 8) | b;
    }
}
