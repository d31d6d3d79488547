/**
 * Experiment specs: typed records parsed from YAML ({@link org.deqbench.spec.SpecLoader}), with
 * defaults filled in by the records' constructors and every constraint checked by
 * {@link org.deqbench.spec.SpecValidator} before any node runs. Errors name the file, the key path
 * ({@code tasks[0].mri.acceleration}) and what was expected.
 */
package org.deqbench.spec;
