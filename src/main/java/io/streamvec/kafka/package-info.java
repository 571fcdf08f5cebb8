/** Kafka plumbing: topic names and the topic catalog, the embedded KRaft broker, error handlers. */
package io.streamvec.kafka;
