package org.deqbench.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class NativeAllocatorTest {
    private static final long MIB = 1 << 20;

    /**
     * 48 MiB of 64 KiB arrays (below glibc's mmap threshold, so inside its heap), written, then an
     * array allocated after them keeps the heap's top in use and closed: the C library keeps the 48
     * MiB resident until trimmed.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void trimHandsTheMemoryOfClosedArraysBackToTheSystem() {
        assertTrue(NativeAllocator.available(), "malloc_trim should be found in this Linux's C library");
        List<INDArray> arrays = new ArrayList<>();
        for (int i = 0; i < 768; i++) {
            arrays.add(Nd4j.create(DataType.FLOAT, 16_384).assign(i));
        }
        INDArray pin = Nd4j.create(DataType.FLOAT, 16).assign(1);
        arrays.forEach(INDArray::close);
        long before = Pointer.physicalBytes();
        boolean returned = NativeAllocator.trim();
        long after = Pointer.physicalBytes();
        assertTrue(returned, "malloc_trim returned nothing");
        assertTrue(before - after >= 24 * MIB, "resident set fell by " + (before - after) / MIB
                + " MiB only (" + before / MIB + " -> " + after / MIB + " MiB); 48 MiB were closed");
        assertTrue(pin.getFloat(0) == 1f);
    }

    @Test
    void theSystemPropertyTurnsTrimmingOff() {
        String old = System.getProperty(NativeAllocator.PROPERTY);
        System.setProperty(NativeAllocator.PROPERTY, "false");
        try {
            assertFalse(NativeAllocator.available());
            assertFalse(NativeAllocator.trim());
        } finally {
            if (old == null) {
                System.clearProperty(NativeAllocator.PROPERTY);
            } else {
                System.setProperty(NativeAllocator.PROPERTY, old);
            }
        }
    }
}
