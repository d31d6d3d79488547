/**
 * Lipschitz certificates (proven upper bounds) and empirical lower bounds of reconstruction maps,
 * and the guarantees derived from them. An estimate is never reported as a certificate.
 */
package org.deqbench.certify;
