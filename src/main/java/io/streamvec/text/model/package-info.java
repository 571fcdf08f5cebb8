/**
 * The text model, with no Kafka in it: Hugging Face tokenization, the BERT encoder on DJL's PyTorch
 * engine, sentence embedders and pooling, the embedding workers that run the model in micro-batches,
 * device selection and native tuning. Weight loading is in {@link io.streamvec.text.model.weights}.
 */
package io.streamvec.text.model;
