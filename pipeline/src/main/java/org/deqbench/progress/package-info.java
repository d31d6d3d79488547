/**
 * The one progress reporter of the pipeline ({@link org.deqbench.progress.Progress}), a low package
 * that the science (training loops) and the stages both use.
 */
package org.deqbench.progress;
