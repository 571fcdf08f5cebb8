/**
 * Incremental song2vec: word2vec (skip-gram or CBOW with negative sampling) over playlist events,
 * songs as words and playlists as sentences, with vectors in Kafka Streams state stores.
 */
package io.streamvec.song2vec;
