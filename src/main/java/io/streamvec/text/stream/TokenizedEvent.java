package io.streamvec.text.stream;

import io.streamvec.avro.TextEvent;
import io.streamvec.text.model.Tokens;

/**
 * A prepared text event with its tokens: what the {@code tokenize} step ({@link TokenizeProcessor}) forwards to
 * the tokens branch ({@link TokensProcessor}) and the embed branch ({@link EmbedProcessor}). It passes between
 * processors of one task in memory and never crosses a topic, so it has no serde.
 *
 * @param event       the prepared event (source id and event time filled in; see {@link PrepareTextProcessor})
 * @param tokenizer   the name of the tokenizer that produced {@code tokens}
 * @param tokens      the tokens for {@code text-tokens}, from the tokens branch's tokenizer
 * @param modelTokens the tokens for the embedding model, from its own tokenizer: the same object as
 *                    {@code tokens} when both branches use one tokenizer. Their arrays are shared: do not
 *                    modify them
 */
public record TokenizedEvent(TextEvent event, String tokenizer, Tokens tokens, Tokens modelTokens) {}
