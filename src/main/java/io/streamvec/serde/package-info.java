/** Avro serdes in the Confluent wire format, and the schema registries behind them. */
package io.streamvec.serde;
