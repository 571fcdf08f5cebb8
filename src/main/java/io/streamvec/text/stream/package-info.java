/** The text path's processors: validation, tokenization and embedding of text events. */
package io.streamvec.text.stream;
