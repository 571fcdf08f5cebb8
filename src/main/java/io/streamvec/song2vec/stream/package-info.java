/**
 * song2vec as stream processing: the processors that validate playlist events, train the model and
 * emit recommendations, the changelogged model store, the exchange of model deltas between replicas,
 * and the song-metadata updater. The model itself is in {@link io.streamvec.song2vec.model}.
 */
package io.streamvec.song2vec.stream;
