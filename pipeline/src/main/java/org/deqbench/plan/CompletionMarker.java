package org.deqbench.plan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;
import java.util.TreeMap;

/**
 * A node folder's completion marker ({@value RunStore#MARKER}). A node is up to date when the
 * marker's {@code hash} is the node's plan hash (its spec section and its inputs' plan hashes), its
 * {@code code_version} is this build's ({@link CodeVersion}), every input's manifest still has the
 * SHA-256 recorded in {@code inputs}, and the folder's manifest has {@code manifest_sha256} and each
 * file the SHA-256 its manifest lists.
 *
 * @param node           the node id
 * @param hash           the node's plan hash
 * @param codeVersion    the code that wrote it
 * @param inputs         input node id to the SHA-256 of its {@code manifest.json} when this node read it
 * @param manifestSha256 SHA-256 of this folder's {@code manifest.json}
 * @param finishedAt     ISO-8601 time of completion
 * @param seconds        how long the node ran
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CompletionMarker(String node, String hash, @JsonProperty("code_version") String codeVersion,
                               Map<String, String> inputs,
                               @JsonProperty("manifest_sha256") String manifestSha256,
                               @JsonProperty("finished_at") String finishedAt, double seconds) {
    public CompletionMarker {
        inputs = inputs == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(inputs));
    }
}
