package org.deqbench.stages.gpu;

import java.util.ArrayList;
import java.util.List;

/**
 * One GPU as {@code nvidia-smi --query-gpu=index,name,compute_cap,driver_version
 * --format=csv,noheader} reports it.
 *
 * @param index         nvidia-smi's index of the device
 * @param name          product name, e.g. "NVIDIA A100-SXM4-40GB"
 * @param capability    compute capability
 * @param driverVersion driver version, e.g. "535.104.05"
 */
public record GpuDevice(int index, String name, ComputeCapability capability, String driverVersion) {

    /** The fields asked of nvidia-smi, in the order {@link #parseCsv} reads them. */
    public static final String QUERY = "index,name,compute_cap,driver_version";

    /**
     * Parses the CSV lines of {@code nvidia-smi --query-gpu=}{@value #QUERY}
     * {@code --format=csv,noheader}: one device per non-blank line, e.g.
     * {@code 0, NVIDIA H100 80GB HBM3, 9.0, 550.54.15}. A name holding commas keeps them.
     *
     * @throws IllegalArgumentException naming the line that does not have that form
     */
    public static List<GpuDevice> parseCsv(String csv) {
        List<GpuDevice> out = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",");
            if (f.length < 4) {
                throw new IllegalArgumentException("nvidia-smi: expected '" + QUERY + "' in a line, found '" + line.trim() + "'");
            }
            String name = String.join(",", java.util.Arrays.copyOfRange(f, 1, f.length - 2)).trim();
            try {
                out.add(new GpuDevice(Integer.parseInt(f[0].trim()), name,
                        ComputeCapability.parse(f[f.length - 2]), f[f.length - 1].trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("nvidia-smi line '" + line.trim() + "': " + e.getMessage(), e);
            }
        }
        return out;
    }

    /** "GPU 0 (NVIDIA H100 80GB HBM3)". */
    public String label() {
        return "GPU " + index + " (" + name + ")";
    }
}
