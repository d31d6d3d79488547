package org.deqbench.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The training curves as the train node publishes them: {@code training.json}
 * ({"steps": [{"step", "epoch", "loss", "learning_rate", "seconds", "peak_bytes", …diagnostics}],
 * "epochs": [{"epoch", "step", "val_psnr", "best"}], …summary}) and {@code training.csv} (one row
 * per step, the same columns).
 */
public final class TrainingCurves {
    private TrainingCurves() {
    }

    /** The JSON document (summary entries first, then the curves). */
    public static Map<String, Object> json(TrainingResult r, Map<String, Object> summary) {
        Map<String, Object> doc = new LinkedHashMap<>(summary);
        doc.put("total_steps", r.steps());
        doc.put("train_seconds", r.seconds());
        doc.put("resumed_from_step", r.resumedFrom());
        doc.put("best_epoch", r.bestEpoch());
        doc.put("best_val_psnr", Double.isFinite(r.bestValPsnr()) ? r.bestValPsnr() : null);
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepRecord s : r.stepRecords()) {
            steps.add(row(s));
        }
        doc.put("steps", steps);
        List<Map<String, Object>> epochs = new ArrayList<>();
        for (EpochRecord e : r.epochRecords()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("step", e.step());
            m.put("val_psnr", Double.isFinite(e.valPsnr()) ? e.valPsnr() : null);
            m.put("best", e.best());
            new java.util.TreeMap<>(e.diagnostics()).forEach((k, v) -> m.put(k, Double.isFinite(v) ? v : null));
            epochs.add(m);
        }
        doc.put("epochs", epochs);
        return doc;
    }

    private static Map<String, Object> row(StepRecord s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("step", s.step());
        m.put("epoch", s.epoch());
        m.put("loss", s.loss());
        m.put("learning_rate", s.learningRate());
        m.put("seconds", s.seconds());
        m.put("peak_bytes", s.peakBytes());
        m.put("peak_heap_bytes", s.peakHeapBytes());
        m.put("peak_offheap_bytes", s.peakOffHeapBytes());
        new java.util.TreeMap<>(s.diagnostics()).forEach((k, v) -> m.put(k, Double.isFinite(v) ? v : null));
        return m;
    }

    /** Writes the step rows as CSV (columns: the fixed ones, then every diagnostic seen, sorted). */
    public static void writeCsv(TrainingResult r, Path file) {
        TreeSet<String> extra = new TreeSet<>();
        r.stepRecords().forEach(s -> extra.addAll(s.diagnostics().keySet()));
        StringBuilder sb = new StringBuilder("step,epoch,loss,learning_rate,seconds,peak_bytes,peak_heap_bytes,peak_offheap_bytes");
        extra.forEach(k -> sb.append(',').append(k));
        sb.append('\n');
        for (StepRecord s : r.stepRecords()) {
            sb.append(s.step()).append(',').append(s.epoch()).append(',').append(s.loss()).append(',')
                    .append(s.learningRate()).append(',').append(s.seconds()).append(',').append(s.peakBytes())
                    .append(',').append(s.peakHeapBytes()).append(',').append(s.peakOffHeapBytes());
            for (String k : extra) {
                Double v = s.diagnostics().get(k);
                sb.append(',').append(v == null ? "" : v.toString());
            }
            sb.append('\n');
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
