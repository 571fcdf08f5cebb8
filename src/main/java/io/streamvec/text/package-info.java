/** The text path: Hugging Face tokenization and sentence embeddings, and their processors. */
package io.streamvec.text;
