/**
 * Micrometer metrics in Prometheus naming conventions: JVM and process metrics, Kafka Streams' own
 * metrics through Micrometer's binder, and streamvec's (records, embedding batches, song2vec training).
 */
package io.streamvec.metrics;
