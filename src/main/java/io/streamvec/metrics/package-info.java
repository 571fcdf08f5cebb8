/** Micrometer metrics in Prometheus naming conventions, and the Kafka Streams metrics binder. */
package io.streamvec.metrics;
