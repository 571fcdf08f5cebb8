/** The text path: Hugging Face tokenization, sentence embeddings, the embedding workers that run the model, and their processors. */
package io.streamvec.text;
