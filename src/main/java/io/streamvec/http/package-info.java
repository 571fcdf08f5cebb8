/** The read-only HTTP endpoints: recommendations from local state, health, and Prometheus metrics. */
package io.streamvec.http;
