/**
 * Lipschitz certificates (proven upper bounds) and empirical lower bounds of reconstruction maps,
 * and the guarantees derived from them, and {@code certificate.json}'s record
 * ({@link org.deqbench.certify.LipschitzCertificate}). An estimate is never reported as a
 * certificate.
 */
package org.deqbench.certify;
