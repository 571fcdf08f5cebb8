/**
 * The song2vec model, with no Kafka in it: word2vec (CBOW or skip-gram with negative sampling) over
 * playlists, songs as words and playlists as sentences. {@link io.streamvec.song2vec.model.SgnsTrainer}
 * holds the hot loop and {@link io.streamvec.song2vec.model.VecOps} / {@code SimdOps} its kernels;
 * the vocabulary, the negative samplers, the training strategies (one thread or Hogwild on several),
 * the read-only snapshot and its nearest-neighbour index live beside them.
 */
package io.streamvec.song2vec.model;
