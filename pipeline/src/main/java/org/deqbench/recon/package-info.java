/**
 * Reconstruction methods as maps from measurements to images: zero-filled, CG-SENSE / Tikhonov,
 * and the learned methods (MoDL, DEQ, MOL-SN, MOL-LR, DEQ-GD/RERG, ELDER) once trained.
 */
package org.deqbench.recon;
