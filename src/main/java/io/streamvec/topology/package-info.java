/** The topology, wired in one place ({@link io.streamvec.topology.StreamvecTopology}). */
package io.streamvec.topology;
